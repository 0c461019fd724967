/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, @typescript-eslint/no-require-imports -- test code, never shipped */
/**
 * What users install: `npm run build` output and the `npm pack` file list. Runs after the
 * build in `npm test`.
 */
import { execFileSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';

// jest runs from the repository root (rootDir).
const root = resolve('.');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	dependencies?: Record<string, string>;
	peerDependencies: Record<string, string>;
	files: string[];
	n8n: { strict: boolean; nodes: string[]; credentials: string[] };
};

describe('package.json', () => {
	it('has no runtime dependencies and n8n-workflow only as a peer', () => {
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.files).toEqual(['dist']);
		expect(pkg.n8n.strict).toBe(true);
	});

	it('lists the five model nodes, the two any-model nodes, the two trigger nodes and both credentials, and each exists in dist', () => {
		expect(pkg.n8n.nodes).toHaveLength(9);
		expect(pkg.n8n.credentials).toHaveLength(2);
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(existsSync(join(root, file))).toBe(true);
	});
});

describe('dist', () => {
	const load = (file: string) => {
		const module = require(join(root, file)) as Record<string, new () => { description?: { icon?: unknown; name: string }; icon?: unknown; name?: string }>;
		return Object.values(module)[0];
	};

	it('every icon a node or credential points at is in dist', () => {
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
			const instance = new (load(file))();
			const icon = (instance.description?.icon ?? instance.icon) as { light: string; dark: string };
			for (const path of [icon.light, icon.dark]) {
				expect(path.startsWith('file:')).toBe(true);
				expect(existsSync(resolve(dirname(join(root, file)), path.slice(5)))).toBe(true);
			}
		}
	});

	it('every node has its codex file naming the node type', () => {
		for (const file of pkg.n8n.nodes) {
			const instance = new (load(file))();
			const codex = JSON.parse(readFileSync(join(root, file.replace(/\.js$/, '.json')), 'utf8')) as { node: string };
			expect(codex.node).toBe(`n8n-nodes-ai-video.${instance.description?.name}`);
		}
	});

	// n8n's nodes panel leaves a node of category "AI" out of search results unless its AI
	// subcategories include "Root Nodes" (sub-nodes such as chat models are only offered where
	// they can be connected); the browser test shows the effect in the editor.
	it('every node is in the AI category as a root node, so the nodes panel search finds it', () => {
		for (const file of pkg.n8n.nodes) {
			const codex = JSON.parse(readFileSync(join(root, file.replace(/\.js$/, '.json')), 'utf8')) as {
				categories: string[];
				subcategories: Record<string, string[]>;
			};
			expect(codex.categories).toContain('AI');
			expect(codex.subcategories.AI).toEqual(expect.arrayContaining(['Video', 'Root Nodes']));
		}
	});

	it('the tarball ships dist only, with no tests or fixtures', () => {
		const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
		const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
		expect(files.filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE.md'].includes(f))).toEqual([]);
		expect(files.filter((f) => /test|fixture|emulator|harness/.test(f))).toEqual([]);
		expect(files).toContain('dist/nodes/FalLynx/FalLynx.node.js');
	});
});
