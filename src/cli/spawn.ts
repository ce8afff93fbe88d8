// Starts `chokepoint` as a child process and waits until it serves: the load
// benchmark and the fault and scale-out drills run the real command in its own OS
// process, so a kill or a crash is a real one.
import { spawn, type ChildProcess } from 'node:child_process';

const BIN = new URL('../../bin/chokepoint.js', import.meta.url).pathname;

export interface ServingProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Demo passwords printed by `chokepoint demo`, by username. */
  passwords: Map<string, string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Runs `chokepoint <args>` (which must serve, e.g. `serve --port 0`) and resolves with its URL. */
export function startChokepoint(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 300_000,
): Promise<ServingProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const passwords = new Map<string, string>();
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chokepoint ${args.join(' ')} did not serve within ${timeoutMs} ms:\n${out.slice(-2000)}`));
    }, timeoutMs);
    const stop = async (graceMs = 10_000): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    };
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      for (const m of out.matchAll(/^\s{2}([a-z.]+)\s+(\S+)\s{2,}/gm)) passwords.set(m[1]!, m[2]!);
      const url = /serving on (http:\/\/[^\s]+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, output: () => out, passwords, stop });
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`chokepoint ${args.join(' ')} exited (${code ?? signal}):\n${out.slice(-2000)}`));
    });
  });
}

/** Runs `chokepoint <args>` to its end (asynchronously, so a caller's event loop stays free). */
export function runChokepoint(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 120_000,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
