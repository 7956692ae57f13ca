import { serve } from './worker.ts';

/** The worker process's entry (see serve): the main process forks this file. */
serve();
