import { inject } from 'vitest';

// Test files mint tokens and call firebase-admin against the run's emulator.
process.env.FIREBASE_AUTH_EMULATOR_HOST = inject('emulatorHost');
process.env.FIREBASE_PROJECT_ID = inject('projectId');
