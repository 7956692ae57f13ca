import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * Opens a file in the desktop's default application (xdg-open, open, or start), detached, so the
 * command does not wait for the browser. Returns false when no opener could be started; the
 * caller then prints the path for the reader to open.
 */
export function openInBrowser(file: string): Promise<boolean> {
  const url = pathToFileURL(file).href;
  const [command, args] = process.platform === 'darwin' ? ['open', [url]]
    : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]]
    : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
