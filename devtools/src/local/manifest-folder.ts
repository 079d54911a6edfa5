// Reads a folder (or one file) of VoiceAgent / SipTrunk / Secret YAML the way the API server would admit it:
// every document is validated with the same rules as the CRDs, and every problem is reported as
// `file: Kind name: path: message` so the user knows what to fix.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseManifests, type SipTrunk, type VoiceAgent } from '@voicefleet/api';

export interface LocalSecret {
  namespace: string;
  name: string;
  data: Record<string, string>;
}

export interface ManifestFolder {
  agents: VoiceAgent[];
  trunks: SipTrunk[];
  secrets: LocalSecret[];
  /** One line per problem; empty when the folder is valid. */
  problems: string[];
}

const YAML_FILE = /\.ya?ml$/i;

/** The YAML files under `dir`, in name order; `dir` itself when it is a file. */
async function yamlFiles(dir: string): Promise<string[]> {
  if ((await stat(dir)).isFile()) return [dir];
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await yamlFiles(path)));
    else if (YAML_FILE.test(entry.name)) files.push(path);
  }
  return files;
}

function secretOf(obj: Record<string, unknown>, namespace: string, name: string): LocalSecret {
  const data: Record<string, string> = {};
  const stringData = obj.stringData as Record<string, unknown> | undefined;
  const encoded = obj.data as Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(encoded ?? {})) {
    if (typeof v === 'string') data[k] = Buffer.from(v, 'base64').toString('utf8');
  }
  for (const [k, v] of Object.entries(stringData ?? {})) {
    if (typeof v === 'string') data[k] = v;
  }
  return { namespace, name, data };
}

export async function loadManifestFolder(dir: string): Promise<ManifestFolder> {
  const out: ManifestFolder = { agents: [], trunks: [], secrets: [], problems: [] };
  let files: string[];
  try {
    files = await yamlFiles(dir);
  } catch (error) {
    out.problems.push(`${dir}: cannot read the folder (${(error as Error).message})`);
    return out;
  }
  if (files.length === 0)
    out.problems.push(`${dir}: no .yaml files with VoiceAgent or SipTrunk objects`);
  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      // removed or replaced between the listing and the read: the next change event reads it again
      out.problems.push(`${shown}: cannot read the file (${(error as Error).message})`);
      continue;
    }
    const parsed = parseManifests(text);
    for (const e of parsed.errors) {
      const what = [e.kind, e.name].filter(Boolean).join(' ');
      const where = e.path ? `${e.path}: ` : '';
      out.problems.push(
        `${shown}${what ? ` (${what})` : ` (document ${e.document + 1})`}: ${where}${e.message}`,
      );
    }
    out.agents.push(...parsed.voiceAgents.map(withNamespace));
    out.trunks.push(...parsed.sipTrunks.map(withNamespace));
    for (const other of parsed.others) {
      if (other.kind !== 'Secret' || other.metadata?.name === undefined) continue;
      out.secrets.push(secretOf(other, other.metadata.namespace ?? 'default', other.metadata.name));
    }
  }
  return out;
}

function withNamespace<T extends { metadata: { namespace?: string } }>(obj: T): T {
  return { ...obj, metadata: { ...obj.metadata, namespace: obj.metadata.namespace ?? 'default' } };
}
