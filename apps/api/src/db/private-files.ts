import fs from 'node:fs';

/**
 * The data directory holds the SQLite database and, in development, the encryption key: nobody but the
 * service's own user should read either. Modes are set explicitly rather than left to the umask (a common
 * umask of 022 makes new files world-readable).
 */

/**
 * Creates `dir` (and missing parents) as 0700. An existing directory is left as it is: it may be shared (a
 * mount point, /var/lib), and the files the service keeps in it are 0600 whatever the directory allows.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Makes `file` readable and writable by its owner only: created empty with 0600 when missing (SQLite takes an
 * empty file for a new database), tightened to 0600 when it exists with more. `companions` (SQLite's -wal and
 * -shm) are tightened when they exist; SQLite creates them with the main file's mode.
 */
export function ensurePrivateFile(file: string, companions: string[] = []): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, ...companions.map((suffix) => file + suffix)]) {
    try {
      if ((fs.statSync(f).mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
