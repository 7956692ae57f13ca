import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * Opens a file in the desktop's default application (xdg-open, open, or start), detached, so the
 * command does not wait for the browser. Returns false when no opener could be started, or when it
 * gave up (xdg-open on a machine without a desktop exits with 3 at once); the caller then prints
 * the path for the reader to open. An opener still running after a moment is taken to have worked.
 */
export function openInBrowser(file: string, patience = 3000): Promise<boolean> {
  const url = pathToFileURL(file).href;
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      const waited = setTimeout(() => {
        child.unref();
        resolve(true);
      }, patience);
      child.once('exit', (code) => {
        clearTimeout(waited);
        resolve(code === 0);
      });
    });
  });
}
