// The `voicefleet` command line: the local fleet (`dev`), test calls (`call`), rendering the
// monitoring of a set of manifests (`render monitoring`) and help.
// Each subcommand lives in its own file, loaded only when it runs (`call` needs no operator code);
// this one only dispatches and maps failures to exit codes.
import { UsageError } from './usage-error.js';

const HELP = `voicefleet — fleets of AI voice agents on SIP telephony

Usage:
  voicefleet dev [folder]            run a local fleet from VoiceAgent/SipTrunk YAML
                                     (default: the repository's crds/examples)
  voicefleet call <number> [options] call a number through the local fleet's edge
      --say "text"                   speak a line (repeat for several turns)
      --dtmf 123#                    send RFC 4733 digits (in order with --say)
      --wav file.wav                 save the call audio (left: you, right: the agent)
      --timeout seconds              give up on an agent reply after this long (default 15)
      --run-dir dir                  the fleet's run dir, if 'dev' was given one
  voicefleet render monitoring <manifest or folder> --out DIR
                                     write the PrometheusRules, PodMonitors, promtool tests and
                                     Grafana dashboards the operator applies, without a cluster
  voicefleet help                    this text

Run 'voicefleet <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'dev':
      return (await import('./dev-command.js')).runDevCommand(rest);
    case 'call':
      return (await import('./call-command.js')).runCallCommand(rest);
    case 'render':
      return (await import('./render-command.js')).runRenderCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP);
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`voicefleet: ${error.message}\n\n${HELP}`);
    process.exitCode = 2;
  } else {
    console.error(`voicefleet: ${error instanceof Error ? error.message : String(error)}`);
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause instanceof Error) console.error(`  caused by: ${cause.message}`);
    process.exitCode = 1;
  }
}
