/**
 * Issue 15's scale figures: node dist/bench/controller-lb.js [--services 5000]
 * [--vips 500] [--nodes 1000]; prints the measurements as JSON (bench/lb-scale.ts).
 */
import { runLbScale } from "./lb-scale.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

const result = await runLbScale({
  services: arg("services", 5000),
  vips: arg("vips", 500),
  nodes: arg("nodes", 1000),
  concurrency: arg("concurrency", 16),
});
process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
// client-node leaves keep-alive handles behind for a while after the server is gone.
process.exit(0);
