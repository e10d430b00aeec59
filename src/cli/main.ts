#!/usr/bin/env node
// The `pixprep` command. Placeholder until the data and command issue lands.
import { backend } from '../index.js';

console.log(`pixprep: kernels loaded (${backend}). The training command is not built yet.`);
