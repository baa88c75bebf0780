/**
 * What floatip does with the keepalived keywords it does not translate:
 * accept with a warning (the keyword changes nothing floatip needs, the
 * warning says what floatip does instead) or refuse with the reason. These
 * tables are the source of the support table in docs/keepalived.md (a test
 * holds the two together). Keywords floatip translates live beside their
 * handlers in translate.ts and translate-instance.ts.
 */

/** Keyword → the warning text: why ignoring it is harmless, what floatip does instead. */
export type Ignored = Readonly<Record<string, string>>;
/** Keyword → why floatip refuses it. */
export type Unsupported = Readonly<Record<string, string>>;

const MAIL = "floatip sends no e-mail; run a notify script (notify, notify_master ...) to alert on transitions";
const LABEL = "a label of this keepalived process; floatip has no use for it";
const SCHED = "process scheduling of keepalived; floatip runs as one ordinary process (set priorities with systemd or the pod spec)";
const SNMP = "floatip has no SNMP or D-Bus interface; it serves Prometheus metrics and /state (floatip agent --metrics-address)";
const BUFFERS = "floatip sizes its netlink buffers itself";
const OWN_FILES = "keepalived's own files; floatip writes none of them";
const LVS = "LVS is keepalived's load balancer, not part of floatip";
const FIREWALL =
  "floatip never adds firewall rules and never filters traffic to the virtual addresses (a master accepts it, keepalived's accept mode)";

/** global_defs keywords accepted with a warning. */
export const GLOBAL_IGNORED: Ignored = {
  notification_email: MAIL,
  notification_email_from: MAIL,
  smtp_server: MAIL,
  smtp_helo_name: MAIL,
  smtp_connect_timeout: MAIL,
  smtp_alert: MAIL,
  smtp_alert_vrrp: MAIL,
  smtp_alert_checker: MAIL,
  no_email_faults: MAIL,
  email_from: MAIL,
  router_id: LABEL,
  process_names: LABEL,
  vrrp_process_name: LABEL,
  checker_process_name: LABEL,
  bfd_process_name: LABEL,
  instance: LABEL,
  debug: "floatip's log detail is set with floatip agent --log-level",
  max_auto_priority: SCHED,
  vrrp_priority: SCHED,
  vrrp_no_swap: SCHED,
  vrrp_rt_priority: SCHED,
  vrrp_cpu_affinity: SCHED,
  vrrp_rlimit_rttime: SCHED,
  vrrp_rx_bufs_policy: "floatip sizes its receive buffer itself",
  vrrp_rx_bufs_multiplier: "floatip sizes its receive buffer itself",
  checker_priority: SCHED,
  checker_no_swap: SCHED,
  checker_rt_priority: SCHED,
  checker_cpu_affinity: SCHED,
  enable_snmp_vrrp: SNMP,
  enable_snmp_keepalived: SNMP,
  enable_snmp_checker: SNMP,
  enable_snmp_rfc: SNMP,
  enable_snmp_rfcv2: SNMP,
  enable_snmp_rfcv3: SNMP,
  enable_traps: SNMP,
  snmp_socket: SNMP,
  enable_dbus: SNMP,
  enable_dbus_instance: SNMP,
  vrrp_higher_prio_send_advert:
    "floatip always does this: a master that hears a higher priority sends one advert of its own before it becomes backup",
  vrrp_check_unicast_src: "floatip always does this: a unicast instance drops adverts from any address that is not one of its unicast_peer",
  vrrp_skip_check_adv_addr:
    "floatip skips every check for a repeat of the last advert from the same master, and takes an advert whose address list differs from its own when it comes from a unicast peer or shares an address (docs/reload.md), which covers what this setting is for",
  vrrp_iptables: FIREWALL,
  vrrp_ipsets: FIREWALL,
  nftables: FIREWALL,
  nftables_priority: FIREWALL,
  nftables_counters: FIREWALL,
  nftables_ifindex: FIREWALL,
  lvs_id: "LVS is keepalived's load balancer, not part of floatip",
  lvs_flush: "LVS is keepalived's load balancer, not part of floatip",
  lvs_timeouts: "LVS is keepalived's load balancer, not part of floatip",
  lvs_sync_daemon: "LVS is keepalived's load balancer, not part of floatip",
  // Found in configs in the field (docs/keepalived.md, "Configs from the field").
  dynamic_interfaces:
    "floatip always follows an interface that is deleted and created again while it runs (FAULT, then back), which is what this setting is for; an instance's interface must exist when floatip starts",
  process_name: LABEL,
  bfd_priority: SCHED,
  bfd_no_swap: SCHED,
  bfd_rt_priority: SCHED,
  bfd_cpu_affinity: SCHED,
  bfd_rlimit_rttime: SCHED,
  checker_rlimit_rttime: SCHED,
  min_auto_priority_delay: SCHED,
  vrrp_netlink_cmd_rcv_bufs: BUFFERS,
  vrrp_netlink_cmd_rcv_bufs_force: BUFFERS,
  vrrp_netlink_monitor_rcv_bufs: BUFFERS,
  vrrp_netlink_monitor_rcv_bufs_force: BUFFERS,
  process_monitor_rcv_bufs: BUFFERS,
  process_monitor_rcv_bufs_force: BUFFERS,
  dbus_service_name: SNMP,
  log_unknown_vrids: "a keepalived logging switch; floatip's log detail is set with floatip agent --log-level",
  umask: "the mode of files keepalived creates; floatip's comes from the service (systemd UMask=)",
  tmp_config_directory: OWN_FILES,
  config_save_dir: OWN_FILES,
  data_use_instance: OWN_FILES,
  include_check: "floatip checks every include: a file it cannot read is an error, a pattern that matches nothing is not",
  reload_check_config: "floatip always does this: a reload (SIGHUP) with an invalid config is rejected whole and the running config stays",
  random_seed: "seeds keepalived's ${_RANDOM}, which floatip refuses where a line uses it",
  disable_local_igmp: "floatip changes no sysctl; set net.ipv4.igmp_link_local_mcast_reports=0 for the same effect",
  checker_log_all_failures: LVS,
  no_checker_emails: LVS,
  lvs_flush_on_stop: LVS,
  lvs_netlink_cmd_rcv_bufs: LVS,
  lvs_netlink_cmd_rcv_bufs_force: LVS,
  lvs_netlink_monitor_rcv_bufs: LVS,
  lvs_netlink_monitor_rcv_bufs_force: LVS,
  lvs_notify_fifo: LVS,
  lvs_notify_fifo_script: LVS,
  nftables_ipvs: LVS,
  nftables_ipvs_priority: LVS,
  nftables_ipvs_start_fwmark: LVS,
  rs_init_notifies: LVS,
};

/** global_defs keywords floatip refuses. */
export const GLOBAL_UNSUPPORTED: Unsupported = {
  vrrp_delay_after_boot: "not supported yet; delay the start of the service instead (e.g. systemd ExecStartPre=/bin/sleep N)",
  vrrp_notify_fifo_script:
    "not supported: floatip writes the FIFO (vrrp_notify_fifo) but does not start its reader; run the reader as a service of its own",
  notify_fifo_script:
    "not supported: floatip writes the FIFO (notify_fifo) but does not start its reader; run the reader as a service of its own",
  vrrp_lower_prio_no_advert: "not supported: a floatip master always answers a lower-priority advert with its own",
  vrrp_owner_ignore_adverts: "not supported: an address owner (priority 255) in floatip always takes part in the election",
  vrrp_garp_extra_if: "not supported: floatip sends gratuitous ARP only on the instance's interface",
  vmac_prefix: "not supported: floatip names the macvlan as use_vmac gives it (default vrrp.VRID)",
  vmac_addr_prefix: "not supported: floatip names the macvlan as use_vmac gives it (default vrrp.VRID)",
  linkbeat_use_polling: "floatip watches links itself; this keepalived switch has no meaning for it",
  startup_script: "not supported; run it from the service manager before floatip starts",
  shutdown_script: "not supported; run it from the service manager after floatip stops",
  script_security: "not supported; floatip runs scripts without a shell as script_user",
  // Found in configs in the field (docs/keepalived.md, "Configs from the field").
  vrrp_notify_priority_changes: "not supported yet",
  vrrp_down_timer_adverts: "not supported: floatip waits the RFC Master_Down_Interval (3 adverts and the skew time)",
  reload_time_file: "not supported: reload floatip with SIGHUP when you want it (e.g. from a systemd timer)",
  reload_repeat: "not supported: reload floatip with SIGHUP when you want it (e.g. from a systemd timer)",
  reload_file: "not supported: floatip creates no file while it reads its config; it logs each reload's outcome",
  startup_script_timeout: "not supported; run the startup script from the service manager before floatip starts",
  shutdown_script_timeout: "not supported; run the shutdown script from the service manager after floatip stops",
};

/** Top-level sections floatip refuses (LVS sections are handled apart: see LVS_SECTIONS). */
export const ROOT_UNSUPPORTED: Unsupported = {
  track_group: "not supported yet",
  garp_group: "not supported: floatip sends gratuitous ARP only on the instance's interface",
  linkbeat_interfaces: "floatip watches links itself; this keepalived section has no meaning for it",
  interface_up_down_delays: "not supported yet",
  bfd_instance: "BFD is not supported by floatip",
  net_namespace: "not supported: run floatip inside the network namespace instead (e.g. ip netns exec NAME floatip agent ...)",
  net_namespace_ipvs: "LVS is keepalived's load balancer, not part of floatip",
  namespace_with_ipsets: "not supported: floatip adds no ipsets",
  instance: "not supported: floatip has no named keepalived instances; run one floatip per config",
  use_pid_dir: "not supported: floatip writes no pid file",
  child_wait_time: "not supported: floatip runs as one process",
  SSL: "belongs to keepalived's LVS health checkers, not part of floatip",
};

/** Top-level LVS sections: skipped with a warning by convert (and agent --skip-lvs), refused by agent otherwise. */
export const LVS_SECTIONS: readonly string[] = ["virtual_server", "virtual_server_group"];

/** vrrp_instance keywords accepted with a warning. */
export const INSTANCE_IGNORED: Ignored = {
  debug: "floatip's log detail is set with floatip agent --log-level",
  smtp_alert: MAIL,
  higher_prio_send_advert:
    "floatip always does this: a master that hears a higher priority sends one advert of its own before it becomes backup",
  check_unicast_src: "floatip always does this: a unicast instance drops adverts from any address that is not one of its unicast_peer",
  skip_check_adv_addr:
    "floatip skips every check for a repeat of the last advert from the same master, and takes an advert whose address list differs from its own when it comes from a unicast peer or shares an address (docs/reload.md), which covers what this setting is for",
  no_accept: FIREWALL,
  unicast_ttl:
    "floatip always sends TTL 255 (RFC 5798 §5.1.1.3); a unicast advert that crosses routers arrives with less, and neither floatip nor keepalived checks the TTL of unicast adverts",
  lvs_sync_daemon_interface: "LVS is keepalived's load balancer, not part of floatip",
};

/** vrrp_instance keywords floatip refuses. */
export const INSTANCE_UNSUPPORTED: Unsupported = {
  use_vmac_addr: "not supported yet: floatip gives the virtual MAC to a macvlan (use_vmac), not to the interface itself",
  vmac_garp_intvl:
    "not supported yet: gratuitous ARPs for a use_vmac instance follow its garp settings (garp_master_refresh for periodic ones)",
  use_ipvlan: "not supported yet: floatip aliases the VIP on the interface itself",
  unicast_fault_no_peer: "not supported: a floatip unicast instance needs at least one unicast_peer",
  old_unicast_checksum: "not supported: floatip computes checksums as RFC 5798 says",
  v3_checksum_as_v2: "not supported: floatip computes checksums as RFC 5798 says",
  vrf: "not supported yet: run floatip in the VRF's context instead",
  track_bfd: "BFD is not supported by floatip",
  track_src_ip: "not supported yet: floatip sends from the interface's primary address or unicast_src_ip / mcast_src_ip",
  mcast_dst_ip:
    "not supported: floatip sends to the global group (vrrp_mcast_group4 / vrrp_mcast_group6, default 224.0.0.18 / ff02::12) or to the unicast_peer addresses",
  no_virtual_ipaddress: "not supported: a floatip instance needs virtual addresses",
  notify_deleted: "not supported: floatip sends STOP to notify scripts when an instance is removed",
  notify_master_rx_lower_pri: "not supported yet",
  notify_priority_changes: "not supported yet",
  notify_fifo: "not supported yet; use a notify script, which gets the same INSTANCE NAME STATE PRIORITY arguments",
  down_timer_adverts: "not supported: floatip waits the RFC Master_Down_Interval (3 adverts and the skew time)",
  timer_expired_backup: "not supported",
  garp_extra_if: "not supported: floatip sends gratuitous ARP only on the instance's interface",
  lower_prio_no_advert: "not supported: a floatip master always answers a lower-priority advert with its own",
  owner_ignore_adverts: "not supported: an address owner (priority 255) in floatip always takes part in the election",
  kernel_rx_buf_size: "floatip sizes its receive buffer itself",
  auth_hmac: "not supported: only auth_type PASS",
  linkbeat_use_polling: "floatip watches links itself; this keepalived switch has no meaning for it",
};

/** vrrp_sync_group keywords accepted with a warning. */
export const SYNC_GROUP_IGNORED: Ignored = {
  smtp_alert: MAIL,
  global_tracking: "floatip always applies a sync group's tracking to every member (what this deprecated switch asked for)",
};

/** vrrp_sync_group keywords floatip refuses. */
export const SYNC_GROUP_UNSUPPORTED: Unsupported = {
  sync_group_tracking_weight:
    "not supported: members of a floatip sync group track unweighted, as keepalived does by default (differing priorities across a group make it re-elect forever)",
  notify_deleted: "not supported: floatip sends STOP to notify scripts when an instance is removed",
  notify_priority_changes: "not supported yet",
  track_bfd: "BFD is not supported by floatip",
};
