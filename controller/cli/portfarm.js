#!/usr/bin/env node
// npm links this file as the `portfarm` binary; Node >= 24 runs the TypeScript sources directly.
import './main.ts';
