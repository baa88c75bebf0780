/**
 * V8 heap tuning for the long-running agent. V8 doubles the young
 * generation (two semi-spaces) whenever scavenges find many survivors, up to
 * 16 MiB per semi-space; an agent with hundreds of instances at 100 ms
 * adverts keeps it grown for good (about 25 MiB of resident memory), though
 * little of what it allocates lives longer than an advert. Keeping the
 * semi-spaces at their initial size costs only more frequent, small
 * scavenges. This flag is read at each growth decision, so it can be set
 * from inside the process (unlike --max-semi-space-size, which is fixed when
 * the heap is created), and thus holds however node was started (bin/floatip,
 * `node bin/floatip` in the image, tests). A semi-space flag given to node
 * (command line or NODE_OPTIONS) is left alone.
 */
import { setFlagsFromString } from "node:v8";

export function keepYoungGenerationSmall(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env["NODE_OPTIONS"] ?? ""): boolean {
  if ([...execArgv, nodeOptions].some((arg) => /semi[-_]space/.test(arg))) return false;
  setFlagsFromString("--semi-space-growth-factor=1");
  return true;
}
