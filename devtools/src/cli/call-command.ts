// `voicefleet call <number> --say "..." [--dtmf 12#] [--wav out.wav]`: a SIP caller through the
// local fleet's edge that speaks each line, listens, and prints the conversation both ways with
// the per-turn latency. Exits non-zero when the call fails, so scripts can use it.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { defaultRunDir, readDevState } from '../local/dev-state.js';
import { formatCallSummary } from '../caller/call-report.js';
import { callWav } from '../caller/call-recorder.js';
import { CALL_SAMPLE_RATE, placeTestCall, type CallStep } from '../caller/test-call.js';
import { UsageError } from './usage-error.js';

const USAGE =
  'voicefleet call <number> [--say "text"]... [--dtmf digits]... [--wav file] [--timeout s] [--edge sip:host:port] [--bind address] [--run-dir dir]';
const DTMF = /^[0-9*#A-D]+$/;

export async function runCallCommand(argv: string[]): Promise<number> {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    tokens: true,
    options: {
      say: { type: 'string', multiple: true },
      dtmf: { type: 'string', multiple: true },
      wav: { type: 'string' },
      timeout: { type: 'string', default: '15' },
      edge: { type: 'string' },
      bind: { type: 'string' },
      'run-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [number, ...extra] = positionals;
  if (number === undefined || extra.length > 0)
    throw new UsageError(`call takes one number: ${USAGE}`);
  const timeoutS = Number(values.timeout);
  if (!(timeoutS > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  const steps: CallStep[] = [];
  for (const t of tokens) {
    if (t.kind !== 'option' || t.value === undefined) continue;
    if (t.name === 'say') steps.push({ say: t.value });
    if (t.name === 'dtmf') {
      if (!DTMF.test(t.value))
        throw new UsageError(`--dtmf takes digits 0-9 * # A-D, not "${t.value}"`);
      steps.push({ dtmf: t.value });
    }
  }

  const state = await readDevState(values['run-dir'] ?? defaultRunDir());
  const edgeUri = values.edge ?? state?.edges[0]?.sipUri;
  if (edgeUri === undefined) {
    console.error(
      'voicefleet call: no local fleet is running; start one with `npm run dev` (or pass --edge sip:host:port)',
    );
    return 1;
  }
  console.log(`calling ${number} via ${edgeUri}`);
  const result = await placeTestCall({
    edgeUri,
    ...(values.bind !== undefined ? { localAddress: values.bind } : {}),
    number,
    steps,
    nodeUrls: state?.nodes.map((n) => n.httpUrl) ?? [],
    replyTimeoutMs: timeoutS * 1000,
    onLine: ({ who, text }) =>
      console.log(who === 'call' ? `  (${text})` : `${`${who}:`.padEnd(12)} ${text}`),
  });
  console.log('');
  for (const line of formatCallSummary(result)) console.log(line);
  if (values.wav !== undefined) {
    await writeFile(values.wav, callWav(result.audio, CALL_SAMPLE_RATE));
    console.log(`call audio saved to ${values.wav}`);
  }
  const answeredEveryTurn = result.turns.every(
    (t) => t.mouthToEarMs !== undefined || result.endedBy !== 'you',
  );
  return result.endedBy !== 'failure' && result.greetingHeard && answeredEveryTurn ? 0 : 1;
}
