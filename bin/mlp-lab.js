#!/usr/bin/env node
// The CLI runs its TypeScript sources directly: tsx compiles them on load, so there is no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
