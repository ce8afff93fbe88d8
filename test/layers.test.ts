// Layers (../shared/STYLE.md): domain ← store ← capabilities (resolve, deconflict,
// registry, chem, targeting, graph, ...) ← api and cli. A lower layer never imports
// a higher one: a capability registers its after-write reaction with the store, and
// the modules that write import the composition root (src/capabilities.ts) that
// installs them. Read from the source's import statements, so a new upward import
// fails here rather than in a review.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

interface Import {
  specifier: string;
  /** Names bound by `import { a, b as c }` (the exported names, a and b); empty otherwise. */
  names: string[];
  line: number;
}

/** Comments blanked out (newlines kept, so line numbers hold); strings and regular expressions kept. */
function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  // A slash starts a regular expression, not a division, after these (or at the start).
  const regexAfter = /[(,=:[!&|?{};+\-*%<>~^]|^$/;
  let last = '';
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'" || c === '`' || (c === '/' && regexAfter.test(last))) {
      let j = i + 1;
      let inClass = false; // a slash inside [...] does not end a regular expression
      while (j < text.length && (text[j] !== c || inClass)) {
        if (text[j] === '\\') j++;
        else if (c === '/' && text[j] === '[') inClass = true;
        else if (c === '/' && text[j] === ']') inClass = false;
        else if (c !== '`' && text[j] === '\n') break; // unterminated: stop at the line's end
        j++;
      }
      out += text.slice(i, j + 1);
      last = c;
      i = j + 1;
    } else {
      out += c;
      if (!/\s/.test(c)) last = c;
      i++;
    }
  }
  return out;
}

/**
 * What a TypeScript module imports: import and export-from declarations (type-only
 * ones too), side-effect imports and dynamic import() of a literal. Throws on an
 * import statement it cannot read, so nothing escapes the check unseen.
 */
// biome-ignore lint/suspicious/noExportsInTest: the reader is specified by this file's own tests, beside the rule it serves
export function importsOf(text: string): Import[] {
  const code = withoutComments(text);
  const lineAt = (index: number): number => code.slice(0, index).split('\n').length;
  const found: Import[] = [];
  const starts = new Set<number>();
  const declaration = /^[ \t]*(import|export)\b([^'"`;]*?)\bfrom\s*(['"])(.*?)\3/gm;
  for (const m of code.matchAll(declaration)) {
    const clause = m[2]!;
    const braces = /\{([^}]*)\}/.exec(clause);
    const names =
      m[1] === 'import' && braces
        ? braces[1]!
            .split(',')
            .map(
              (n) =>
                n
                  .trim()
                  .replace(/^type\s+/, '')
                  .split(/\s+as\s+/)[0]!,
            )
            .filter(Boolean)
        : [];
    found.push({ specifier: m[4]!, names, line: lineAt(m.index) });
    starts.add(m.index + m[0].search(/\S/));
  }
  for (const m of code.matchAll(/^[ \t]*import\s*(['"])(.*?)\1/gm)) {
    found.push({ specifier: m[2]!, names: [], line: lineAt(m.index) });
    starts.add(m.index + m[0].search(/\S/));
  }
  for (const m of code.matchAll(/\bimport\s*\(\s*([^)]*?)\s*\)/g)) {
    const literal = /^(['"`])([^'"`$]*)\1$/.exec(m[1]!);
    if (!literal) throw new Error(`line ${lineAt(m.index)}: import(${m[1]}) does not name a module literally`);
    found.push({ specifier: literal[2]!, names: [], line: lineAt(m.index) });
  }
  // Every import statement must have been read above.
  for (const m of code.matchAll(/^[ \t]*import\b(?![ \t]*[(.])/gm)) {
    const at = m.index + m[0].search(/\S/);
    if (!starts.has(at)) throw new Error(`line ${lineAt(m.index)}: cannot read this import statement`);
  }
  return found;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** The source file a relative specifier names (`./x.js` is written for `./x.ts`), or null for a package. */
function target(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  return resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
}

/** `store` for src/store/write.ts; `..` when outside src. */
const layerOf = (path: string): string => {
  const rel = relative(SRC, path);
  return rel.startsWith('..') ? '..' : rel.split(sep)[0]!.replace(/\.tsx?$/, '');
};

/** What each lower layer may import, besides packages and Node's built-ins. */
const MAY_IMPORT: Record<string, string[]> = {
  domain: ['domain'],
  store: ['store', 'domain'],
};

describe('reading import statements', () => {
  it('finds every kind of import, multi-line and type-only ones too, and nothing in comments or strings', () => {
    const text = [
      "import { a, type B, c as d } from './one.js';",
      'import type { E } from "../two.js";',
      'import {',
      '  f,',
      '  g,',
      "} from '../three.js';",
      "import * as h from 'node:fs';",
      "import './side-effect.js';",
      "export { i } from './four.js';",
      "export * from './five.js';",
      "export type { J } from './six.js';",
      "// import { k } from './commented.js';",
      "/* import './block-commented.js'; */",
      'const s = "import { l } from \'./in-a-string.js\'";',
      "const re = /['\"]/; const url = 'postgres://host'; // a slash",
      "export const m = await import('./seven.js');",
      "export const n = 'from';",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { specifier: './one.js', names: ['a', 'B', 'c'], line: 1 },
      { specifier: '../two.js', names: ['E'], line: 2 },
      { specifier: '../three.js', names: ['f', 'g'], line: 3 },
      { specifier: 'node:fs', names: [], line: 7 },
      { specifier: './four.js', names: [], line: 9 },
      { specifier: './five.js', names: [], line: 10 },
      { specifier: './six.js', names: [], line: 11 },
      { specifier: './side-effect.js', names: [], line: 8 },
      { specifier: './seven.js', names: [], line: 16 },
    ]);
  });

  it('refuses what it cannot read rather than passing it', () => {
    expect(() => importsOf('const m = await import(name);')).toThrow(/does not name a module literally/);
    expect(() => importsOf("import x = require('./old.js');")).toThrow(/line 1: cannot read this import statement/);
  });
});

describe('layers', () => {
  for (const [layer, allowed] of Object.entries(MAY_IMPORT)) {
    it(`src/${layer} imports only from ${allowed.map((l) => `src/${l}`).join(' and ')}, packages and Node`, () => {
      const files = sources(join(SRC, layer));
      const upward: string[] = [];
      let relativeImports = 0;
      for (const file of files) {
        for (const imp of importsOf(readFileSync(file, 'utf8'))) {
          const to = target(file, imp.specifier);
          if (!to) continue;
          relativeImports++;
          if (!allowed.includes(layerOf(to)))
            upward.push(`${relative(SRC, file)}:${imp.line} imports ${imp.specifier}`);
        }
      }
      // The layer's files were read: a wrong path would find nothing and pass.
      expect(files.length).toBeGreaterThan(5);
      expect(relativeImports).toBeGreaterThan(0);
      expect(upward).toEqual([]);
    });
  }

  it("every module that calls the store's write functions imports the composition root", () => {
    const writers = new Map([
      [join(SRC, 'store/write.ts'), ['writeBatch', 'writeRecords']],
      [join(SRC, 'store/after-write.ts'), ['afterWrite', 'queueAfterWrite', 'runAfterWrite', 'resumeAfterWrites']],
    ]);
    const root = join(SRC, 'capabilities.ts');
    const writing: string[] = [];
    const forgot: string[] = [];
    for (const file of sources(SRC)) {
      if (layerOf(file) === 'store' || layerOf(file) === 'web') continue;
      const imports = importsOf(readFileSync(file, 'utf8'));
      const writes = imports.some((imp) => {
        const to = target(file, imp.specifier);
        return to !== null && imp.names.some((n) => writers.get(to)?.includes(n));
      });
      if (!writes) continue;
      writing.push(relative(SRC, file));
      if (!imports.some((imp) => target(file, imp.specifier) === root)) forgot.push(relative(SRC, file));
    }
    // The writers were found: a wrong list of names would find none and pass.
    expect(writing).toEqual(
      expect.arrayContaining(['api/server.ts', 'cli/main.ts', 'ingest/importer.ts', 'commands/entities.ts']),
    );
    expect(forgot).toEqual([]);
  });

  it('the capabilities import neither the command layer nor its adapters, and the command layer neither adapter', () => {
    const above: Record<string, string[]> = { commands: ['api', 'cli', 'web'], api: ['cli'], cli: [] };
    const capability = (l: string): boolean => !['commands', 'api', 'cli', 'web', '..'].includes(l);
    const upward: string[] = [];
    let read = 0;
    for (const file of sources(SRC)) {
      const from = layerOf(file);
      if (from === 'web') continue;
      read++;
      for (const imp of importsOf(readFileSync(file, 'utf8'))) {
        const to = target(file, imp.specifier);
        if (!to) continue;
        const l = layerOf(to);
        const forbidden = capability(from) ? ['commands', 'api', 'cli'].includes(l) : above[from]?.includes(l);
        if (forbidden) upward.push(`${relative(SRC, file)}:${imp.line} imports ${imp.specifier}`);
      }
    }
    expect(read).toBeGreaterThan(50);
    expect(upward).toEqual([]);
  });
});
