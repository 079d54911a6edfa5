// Starts an RTP thread in a process of its own and prints, as one JSON line, the priorities the
// thread reports and the nice value of every thread of the process as the kernel has it.
import { readFileSync, readdirSync } from 'node:fs';
import { RtpThread } from '../../media-node/src/rtp-thread/index.js';

const thread = await RtpThread.start();
const tasks = readdirSync('/proc/self/task').map((tid) => {
  // Fields after the command's closing parenthesis; nice is the 19th field of the line.
  const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { tid: Number(tid), nice: Number(fields[16]) };
});
console.log(JSON.stringify({ pid: process.pid, priority: thread.priority, tasks }));
await thread.close();
