/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/require-node-api-error -- browser test driver, never shipped: it launches Chromium, and the owner password is a fixed test value */
/**
 * Drives n8n's editor in Debian's Chromium with playwright-core (no bundled browser, nothing
 * downloaded): an owner account made over the REST API, its session cookie in a fresh
 * browser profile, and small helpers for n8n's own `data-test-id` attributes in the nodes
 * panel (node creator), on the canvas and in the node details view (NDV).
 *
 * The project's tsconfig has no DOM library, so code that runs in the page types the few
 * DOM members it reads itself.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, selectors, type BrowserContext, type Locator, type Page } from 'playwright-core';

import { REPO } from '../e2e/n8n';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(REPO, '.browser-artifacts');

/** Everything Chromium would fetch on its own is off: the machine is offline (and CI should not depend on Google). */
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

export const OWNER = {
	email: 'owner@ai-video.test',
	firstName: 'Browser',
	lastName: 'Test',
	password: 'Browser-test-0wner',
};

/** n8n marks its elements with `data-test-id` (not Playwright's default `data-testid`). */
let testIdSet = false;
function useN8nTestIds(): void {
	if (testIdSet) return;
	selectors.setTestIdAttribute('data-test-id');
	testIdSet = true;
}

export interface Browser {
	context: BrowserContext;
	page: Page;
	/** Closes Chromium and removes its profile. */
	close(): Promise<void>;
}

/**
 * Chromium with a fresh profile (`launchPersistentContext` passes it as --user-data-dir),
 * signed in to n8n as the owner. Console errors of the page are kept for the report.
 */
export async function openEditor(
	baseUrl: string,
): Promise<Browser & { consoleErrors: string[]; blocked: string[] }> {
	if (!existsSync(CHROMIUM)) {
		throw new Error(
			`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
		);
	}
	useN8nTestIds();
	const profile = await mkdtemp(join(tmpdir(), 'ai-video-chromium-'));
	let context: BrowserContext;
	try {
		context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM,
			headless: true,
			args: CHROMIUM_ARGS,
			viewport: { width: 1440, height: 900 },
			deviceScaleFactor: 1,
			timeout: 120_000,
		});
	} catch (error) {
		await rm(profile, { recursive: true, force: true });
		throw error;
	}
	const close = async () => {
		await context.close().catch(() => undefined);
		await rm(profile, { recursive: true, force: true });
	};
	try {
		context.setDefaultTimeout(30_000);
		const login = await context.request.post(`${baseUrl}/rest/login`, {
			data: { emailOrLdapLoginId: OWNER.email, password: OWNER.password },
		});
		if (!login.ok()) throw new Error(`login: HTTP ${login.status()} ${await login.text()}`);
		// Only n8n itself is reached: whatever else the editor asks for (n8n 2.x looks the
		// package up on registry.npmjs.org) is refused at once and listed, so the test never
		// waits on the network and never depends on it.
		const origin = new URL(baseUrl).origin;
		const blocked: string[] = [];
		await context.route(
			(url) => url.origin !== origin,
			async (route) => {
				blocked.push(route.request().url());
				await route.abort('blockedbyclient');
			},
		);
		const page = context.pages()[0] ?? (await context.newPage());
		const consoleErrors: string[] = [];
		page.on('console', (m) => {
			if (m.type() === 'error' && !m.text().includes('BLOCKED_BY_CLIENT')) {
				consoleErrors.push(`console: ${m.text()}`);
			}
		});
		page.on('requestfailed', (r) => {
			const why = r.failure()?.errorText ?? '';
			if (!why.includes('BLOCKED_BY_CLIENT'))
				consoleErrors.push(`request failed: ${r.url()} (${why})`);
		});
		page.on('response', (r) => {
			if (r.status() >= 400) consoleErrors.push(`HTTP ${r.status()}: ${r.url()}`);
		});
		return { context, page, close, consoleErrors, blocked };
	} catch (error) {
		await close();
		throw error;
	}
}

/**
 * Waits until n8n serves the editor itself: for a while after the REST API answers, every
 * page is a static "n8n is starting up. Please wait" (which never reloads itself).
 */
export async function waitForEditor(baseUrl: string, timeoutMs = 180_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	while (Date.now() < deadline) {
		try {
			const r = await fetch(`${baseUrl}/home/workflows`);
			last = `HTTP ${r.status}: ${(await r.text()).slice(0, 200)}`;
			if (r.ok && !last.includes('starting up')) return;
		} catch (error) {
			last = (error as Error).message;
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	throw new Error(`the editor was not served within ${timeoutMs / 1000} s (last: ${last})`);
}

/** The owner account an n8n without users asks for on first start (`POST /rest/owner/setup`). */
export async function setUpOwner(baseUrl: string): Promise<void> {
	const r = await fetch(`${baseUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(OWNER),
	});
	if (!r.ok) throw new Error(`owner setup: HTTP ${r.status} ${await r.text()}`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
	await mkdir(ARTIFACTS, { recursive: true });
	const path = join(ARTIFACTS, `${name}.png`);
	await page.screenshot({ path });
	return path;
}

// ------------------------------------------------------------------ nodes panel

export interface SearchHit {
	/** Node type, from the item's keyboard-navigation id (`<type>-<uuid>`). */
	type: string;
	name: string;
	iconSrc?: string;
}

/** Opens the nodes panel: the big "+" of an empty canvas, else the panel button. */
export async function openNodesPanel(page: Page): Promise<void> {
	const creator = page.getByTestId('node-creator');
	if (await creator.isVisible()) return;
	const empty = page.getByTestId('canvas-plus-button');
	if (await empty.isVisible()) await empty.click();
	else await page.getByTestId('node-creator-plus-button').click();
	await page.getByTestId('node-creator-search-bar').waitFor();
}

/** Types a query into the nodes panel and returns the node items it lists (top level, in order). */
export async function search(page: Page, query: string): Promise<SearchHit[]> {
	await openNodesPanel(page);
	const bar = page.getByTestId('node-creator-search-bar');
	await bar.fill('');
	await bar.fill(query);
	const items = page
		.getByTestId('node-creator')
		.locator('[data-test-id="item-iterator-item"][data-keyboard-nav-type="node"]');
	// The list is debounced: wait until it has settled (two equal reads 300 ms apart).
	let last = '';
	for (let i = 0; i < 40; i++) {
		await page.waitForTimeout(300);
		const now = (
			await items.evaluateAll((els) =>
				els.map((e) =>
					(e as unknown as { getAttribute(n: string): string | null }).getAttribute(
						'data-keyboard-nav-id',
					),
				),
			)
		).join(',');
		if (now === last && (now !== '' || i > 6)) break;
		last = now;
	}
	return await items.evaluateAll((els) =>
		els.map((e) => {
			const el = e as unknown as {
				getAttribute(n: string): string | null;
				querySelector(
					s: string,
				): { textContent: string | null; getAttribute(n: string): string | null } | null;
			};
			const id = el.getAttribute('data-keyboard-nav-id') ?? '';
			return {
				type: id.replace(/-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, ''),
				name: (
					el.querySelector('[data-test-id="node-creator-item-name"]')?.textContent ?? ''
				).trim(),
				iconSrc: el.querySelector('img')?.getAttribute('src') ?? undefined,
			};
		}),
	);
}

/** The nodes-panel item of a node type (after `search`). */
export function searchItem(page: Page, type: string): Locator {
	return page
		.getByTestId('node-creator')
		.locator(`[data-test-id="item-iterator-item"][data-keyboard-nav-id^="${type}-"]`);
}

/**
 * Adds a node from the search results: clicks its item; a node with actions (n8n derives
 * them from the first options parameter: Mode, or Trigger On) opens its details in the
 * panel, where `action` (a regular expression of the action's label) adds it.
 */
export async function addFromSearch(page: Page, type: string, action: RegExp): Promise<string[]> {
	await searchItem(page, type).click();
	const actions = page.getByTestId('node-creator').locator('[data-keyboard-nav-type="action"]');
	const actionItem = actions.filter({ has: page.getByTestId('node-creator-item-name').getByText(action) });
	// A trigger listed under its app's entry sits in a "Triggers (n)" section that starts
	// collapsed once the workflow has a trigger.
	const triggers = page.getByTestId('node-creator').getByText(/^Triggers \(\d+\)$/);
	// And the other way round: on a workflow without a trigger, the panel shows an app's
	// triggers first and its actions in a collapsed "Actions (n)" section.
	const actionsSection = page.getByTestId('node-creator').getByText(/^Actions \(\d+\)$/);
	await actionItem.or(triggers).or(actionsSection).first().waitFor();
	// Open the collapsed sections one at a time until the item shows.
	for (const section of [triggers, actionsSection]) {
		if (await actionItem.first().isVisible()) break;
		if (await section.first().isVisible()) {
			await section.first().click();
			await actionItem
				.first()
				.waitFor({ timeout: 2000 })
				.catch(() => undefined);
		}
	}
	await actionItem.first().waitFor();
	// The labels the panel lists, as written (n8n title-cases an option's name unless it has an `action`).
	const labels = (await actions.getByTestId('node-creator-item-name').allTextContents()).map((t) => t.trim());
	await actionItem.first().click();
	await ndv(page).waitFor({ state: 'visible' });
	return labels;
}

/** The label n8n shows above a parameter in the open NDV. */
export async function paramLabel(page: Page, name: string): Promise<string> {
	return ((await ndv(page).locator(`label[for="${name}"]`).first().textContent()) ?? '').trim();
}

// ------------------------------------------------------------------ node details view

export function ndv(page: Page): Locator {
	return page.getByTestId('ndv');
}

/** A parameter's input in the open NDV (`parameter-input-<name>`, one per visible parameter). */
export function param(page: Page, name: string): Locator {
	return ndv(page).getByTestId(`parameter-input-${name}`);
}

export async function waitShown(page: Page, name: string): Promise<void> {
	await param(page, name).first().waitFor({ state: 'visible', timeout: 10_000 });
}

export async function waitHidden(page: Page, name: string): Promise<void> {
	await param(page, name).first().waitFor({ state: 'hidden', timeout: 10_000 });
}

export async function isShown(page: Page, name: string): Promise<boolean> {
	return await param(page, name).first().isVisible();
}

/** What a parameter shows: the selected option's label, the text or the number. */
export async function paramValue(page: Page, name: string): Promise<string> {
	const input = param(page, name).first().locator('input, textarea').first();
	return await input.inputValue();
}

/** Picks an option of an options parameter by its label. */
export async function choose(page: Page, name: string, label: string): Promise<void> {
	const option = page
		.locator('.el-select-dropdown__item:visible')
		.filter({ has: page.getByText(label, { exact: true }) });
	// A dropdown that is still fading out (Add Field's, just used) can take the first click;
	// open the select again until its own list shows the option.
	// (Escape would close the node's panel, so a click on the field's label closes a list.)
	for (let attempt = 1; ; attempt++) {
		await page
			.locator('.el-select-dropdown__item:visible')
			.first()
			.waitFor({ state: 'hidden', timeout: 3_000 })
			.catch(() => undefined);
		await param(page, name).first().locator('input').first().click();
		try {
			await option.first().waitFor({ state: 'visible', timeout: 5_000 });
			break;
		} catch (error) {
			if (attempt >= 4) throw error;
			await param(page, name).first().locator('label').first().click().catch(() => undefined);
			await page.waitForTimeout(500);
		}
	}
	await option.first().click();
	const deadline = Date.now() + 10_000;
	while ((await paramValue(page, name)) !== label) {
		if (Date.now() > deadline) {
			throw new Error(`${name} shows "${await paramValue(page, name)}" after choosing "${label}"`);
		}
		await page.waitForTimeout(100);
	}
}

/**
 * The labels a collection parameter (Additional Fields, Options) offers to add, from its
 * "Add …" dropdown; `single` when it has one option only (n8n then shows a plain button
 * that adds it at once).
 */
export async function collectionChoices(
	page: Page,
	collection: string,
): Promise<string[] | 'single'> {
	const add = await collectionAdd(page, collection);
	if (add.kind === 'button') return 'single';
	await add.control.click();
	const items = page.locator('.el-select-dropdown__item:visible');
	await items.first().waitFor();
	const labels = (await items.allTextContents()).map((t) => t.trim());
	await page.keyboard.press('Escape');
	await items
		.first()
		.waitFor({ state: 'hidden' })
		.catch(() => undefined);
	return labels;
}

/** Adds the field `label` of a collection parameter (or its only field, with the button). */
export async function addToCollection(
	page: Page,
	collection: string,
	label: string,
): Promise<void> {
	const add = await collectionAdd(page, collection);
	await add.control.click();
	if (add.kind === 'button') return;
	await page
		.locator('.el-select-dropdown__item:visible')
		.filter({ has: page.getByText(label, { exact: true }) })
		.first()
		.click();
}

/**
 * The "Add Field"/"Add Option" control of a collection parameter: a dropdown (an input whose
 * placeholder starts with "Add"), or, when the collection has a single option, a button.
 */
async function collectionAdd(
	page: Page,
	collection: string,
): Promise<{ kind: 'dropdown' | 'button'; control: Locator }> {
	const item = ndv(page)
		.getByTestId('parameter-item')
		.filter({ has: page.locator(`label[for="${collection}"]`) })
		.first();
	const dropdown = item.locator('input[placeholder^="Add"]').last();
	const button = item.getByRole('button', { name: /^\s*Add/ }).last();
	await dropdown.or(button).first().waitFor();
	return (await dropdown.count()) > 0
		? { kind: 'dropdown', control: dropdown }
		: { kind: 'button', control: button };
}

/** The icon next to the node's title in the open NDV (not those of neighbouring nodes). */
export function ndvTitleArea(page: Page): Locator {
	return ndv(page)
		.getByTestId('node-title-container')
		.first()
		.locator('xpath=ancestor::*[.//img][1]');
}

/** Closes the NDV: its close button (2.x), "Back to canvas" (1.x), else Escape. */
export async function closeNdv(page: Page): Promise<void> {
	if (!(await ndv(page).isVisible())) return;
	const close = page.getByTestId('ndv-close-button').or(page.getByTestId('back-to-canvas'));
	if (await close.first().isVisible()) await close.first().click();
	else await page.keyboard.press('Escape');
	await ndv(page).waitFor({ state: 'hidden' });
}

// ------------------------------------------------------------------ icons

export interface IconState {
	src: string;
	complete: boolean;
	naturalWidth: number;
}

/** The first `<img>` inside `scope` whose src contains `srcPart`, once loaded (or the last state seen). */
export async function iconState(
	scope: Locator,
	srcPart: string,
	timeoutMs = 10_000,
): Promise<IconState | undefined> {
	const img = scope.locator(`img[src*="${srcPart}"]`).first();
	const deadline = Date.now() + timeoutMs;
	let state: IconState | undefined;
	while (Date.now() < deadline) {
		if ((await img.count()) > 0) {
			state = await img.evaluate((e) => {
				const el = e as unknown as { currentSrc: string; complete: boolean; naturalWidth: number };
				return { src: el.currentSrc, complete: el.complete, naturalWidth: el.naturalWidth };
			});
			if (state.complete && state.naturalWidth > 0) return state;
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	return state;
}

export function canvasNode(page: Page, type: string): Locator {
	return page.locator(`[data-test-id="canvas-node"][data-node-type="${type}"]`);
}
