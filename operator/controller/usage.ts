/** `floatip controller --help` (kept apart so `floatip --help` does not load the Kubernetes client). */
export const CONTROLLER_USAGE = `usage: floatip controller [options]

Turns VirtualIP resources into per-node VRRPNode agent configs and reports
who is master in each VirtualIP's status; gives Services of type
LoadBalancer (class floatip.io/vrrp) an address from a VirtualIPPool. Two
replicas may run; a Lease decides which one writes.

options:
  --kubeconfig FILE          kubeconfig instead of the in-cluster service account
  --namespace NS             its own namespace: Lease, Events, default Secret namespace (default $POD_NAMESPACE or floatip-system)
  --lease-name NAME          leader-election Lease (default floatip-controller)
  --identity ID              this replica (default $POD_NAME or the host name)
  --metrics-address H:P      serve /metrics, /healthz, /readyz (default 0.0.0.0:9120)
  --log-level LEVEL          debug | info | warn | error (default info)
  --max-candidates N         nodes that run each VRRP router, 0 = every selected node (default 3);
                             a VirtualIP's or pool's spec.maxCandidates overrides it
  --default-load-balancer-class
                             also serve LoadBalancer Services without spec.loadBalancerClass`;
