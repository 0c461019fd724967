/** The fault matrix (test/faults): every provider fault against both Lynx nodes. `npm run test:faults`. */
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/faults'],
	testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
	},
	testTimeout: 30000,
};
