/**
 * The e2e suite: the packed package inside real n8n (both majors), against the provider
 * emulator. Slow (minutes; an uncached n8n install takes several more), so it has its own
 * config and runs in band: `npm run test:e2e`. N8N_E2E_VERSIONS=2.40.5 narrows the versions.
 */
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
	},
	globalSetup: '<rootDir>/test/e2e/global-setup.ts',
	globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
	// One `n8n execute` takes 3–9 s; a test drives a handful, a beforeAll several imports.
	testTimeout: 5 * 60_000,
	slowTestThreshold: 60,
};
