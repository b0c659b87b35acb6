/**
 * A sandbox cluster's node agent (the simulated kubelets) in a process of its own, so that on a
 * 2-core machine the pods' simulation gets the other core instead of sharing the bench's: started
 * by bench/lib/node-agent.ts with the cluster's kubeconfig, speed and nodes as JSON on argv; says
 * `ready` on stdout once its nodes are registered, and stops on SIGTERM.
 */
import { createClock } from '../../src/sandbox/clock.js';
import { startNodeAgent } from '../../src/sandbox/node/index.js';

const { kubeconfig, clusterName, speed, nodes } = JSON.parse(process.argv[2] ?? '{}');
const agent = await startNodeAgent({ kubeconfig, clusterName, clock: createClock(speed), nodes });
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void agent.stop().finally(() => process.exit(0));
});
