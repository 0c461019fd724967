/**
 * The browser test: the packed package in real n8n, its editor driven in Debian's Chromium
 * (playwright-core, no downloaded browser). Slow (a few minutes), so it has its own config
 * and runs in band: `npm run test:browser`. It reuses the e2e suite's global setup (cached
 * n8n installs, one build and pack of the repo) and teardown (wall time per stage).
 */
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/browser'],
	testMatch: ['<rootDir>/test/browser/**/*.browser.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
	},
	globalSetup: '<rootDir>/test/browser/global-setup.ts',
	globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
	// Each node takes 10-30 s of clicks in the editor on a small machine; n8n start ~30 s.
	testTimeout: 3 * 60_000,
	slowTestThreshold: 60,
};
