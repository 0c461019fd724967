/**
 * The queue-mode suite: the packed package in n8n's queue mode (one main, one webhook
 * processor, two workers, Redis and PostgreSQL started by the test on 127.0.0.1). Slow
 * (minutes), so it has its own config and runs in band: `npm run test:queue`.
 * N8N_QUEUE_VERSIONS (default 2.40.5,1.123.81) picks the n8n versions.
 */
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/queue'],
	testMatch: ['<rootDir>/test/queue/**/*.queue.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
	},
	globalSetup: '<rootDir>/test/queue/global-setup.ts',
	globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
	// Bringing up the cluster takes a minute or two on 2 cores; a test waits for long jobs.
	testTimeout: 5 * 60_000,
	slowTestThreshold: 120,
};
