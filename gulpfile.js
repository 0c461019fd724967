// Copies icons and other non-TypeScript assets into dist/ (mirrored paths). `npm run build`
// (n8n-node build) copies PNG/SVG itself; this task is for builds that run tsc alone
// (`npm run build:watch`) and is awaited as a whole, unlike the old starter's gulpfile.
const path = require('path');
const { finished } = require('stream/promises');
const { task, src, dest } = require('gulp');

const ASSETS = '*.{png,svg}';

function copy(folder) {
	const stream = src(path.join(folder, '**', ASSETS), { base: '.', encoding: false }).pipe(dest('dist'));
	return finished(stream);
}

task('build:icons', async () => {
	await Promise.all(['icons', 'nodes', 'credentials'].map(copy));
});
