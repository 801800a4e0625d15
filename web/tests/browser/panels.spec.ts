import path from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';

// Drives every panel through the /dev/panels harness (real RPC handlers, no room).
// The server must expose dev pages: `NEXT_PUBLIC_TROUPE_DEV_PAGES=1 npm start`.

async function shot(page: Page, testInfo: TestInfo, type: string) {
  const file = path.resolve(testInfo.project.outputDir, '..', 'screenshots', `panel-${type}.png`);
  await page.getByTestId(`panel-${type}`).screenshot({ path: file, animations: 'disabled' });
}

async function result(page: Page) {
  return JSON.parse(
    ((await page.getByTestId('harness-result').textContent()) ?? '')
      .split('\n')
      .slice(1)
      .join('\n'),
  ) as {
    ok: boolean;
    data: { state?: Record<string, unknown> };
    error: { code: string } | null;
  };
}

const countWords = (text: string) => text.trim().split(/\s+/u).length;

test.use({ viewport: { width: 1280, height: 800 } });

test.beforeEach(async ({ page }) => {
  await page.goto('/dev/panels');
  await expect(page.getByText('Panel harness')).toBeVisible();
});

test('slides: load, navigate by agent and keyboard, invalid goto', async ({ page }, testInfo) => {
  await page.getByTestId('harness-slides-open').click();
  const panel = page.getByTestId('panel-slides');
  await expect(panel.getByTestId('slide-progress')).toHaveText('1 of 3');
  await expect(panel.getByTestId('panel-title')).toHaveText('Product tour');
  await page.getByTestId('harness-slides-next').click();
  await expect(panel.getByTestId('slide-title')).toHaveText('How a session works');
  await panel.getByTestId('slide-current').click();
  await page.keyboard.press('ArrowRight');
  await expect(panel.getByTestId('slide-progress')).toHaveText('3 of 3');
  await page.keyboard.press('ArrowLeft');
  await expect(panel.getByTestId('slide-progress')).toHaveText('2 of 3');
  await page.getByTestId('harness-slides-invalid').click();
  expect((await result(page)).error?.code).toBe('invalid');
  await page.getByTestId('harness-slides-read').click();
  expect((await result(page)).data.state).toMatchObject({ panel: 'slides', index: 1, count: 3 });
  await expect(page.locator('[data-event="slides:slide_viewed"]').first()).toBeAttached();
  await page.waitForTimeout(450);
  await shot(page, testInfo, 'slides');
});

test('notepad: prefill, user typing is debounced into content_changed', async ({
  page,
}, testInfo) => {
  await page.getByTestId('harness-notepad-open').click();
  const text = page.getByTestId('notepad-text');
  await expect(text).toHaveAttribute('placeholder', /Describe the problem/);
  await page.getByTestId('harness-notepad-set').click();
  await expect(text).toHaveValue(/Goals for this quarter/);
  await text.press('End');
  await text.pressSequentially('\n- Hire a designer', { delay: 10 });
  await expect(page.locator('[data-event="notepad:content_changed"]')).toHaveCount(1);
  await expect(page.getByTestId('notepad-count')).toContainText('words');
  await page.getByTestId('harness-notepad-read').click();
  expect((await result(page)).data.state).toMatchObject({
    panel: 'notepad',
    text: expect.stringContaining('Hire a designer'),
  });
  await shot(page, testInfo, 'notepad');
});

test('notepad: bold, italic and bullets by button and shortcut, stored as Markdown', async ({
  page,
}, testInfo) => {
  await page.getByTestId('harness-notepad-open').click();
  const panel = page.getByTestId('panel-notepad');
  const text = panel.getByTestId('notepad-text');
  const bold = panel.getByTestId('notepad-bold');
  const italic = panel.getByTestId('notepad-italic');
  const list = panel.getByTestId('notepad-list');
  await text.fill('Goals\nShip the beta\nHire a designer');
  // Select "Ship the beta".
  await text.press('ControlOrMeta+Home');
  await text.press('ArrowDown');
  await text.press('Home');
  await text.press('Shift+End');
  await expect(bold).toHaveAttribute('aria-pressed', 'false');
  await text.press('ControlOrMeta+b');
  await expect(text).toHaveValue('Goals\n**Ship the beta**\nHire a designer');
  await expect(bold).toHaveAttribute('aria-pressed', 'true');
  await italic.click();
  await expect(text).toHaveValue('Goals\n***Ship the beta***\nHire a designer');
  await expect(italic).toHaveAttribute('aria-pressed', 'true');
  await text.press('ControlOrMeta+i');
  await expect(text).toHaveValue('Goals\n**Ship the beta**\nHire a designer');
  await expect(italic).toHaveAttribute('aria-pressed', 'false');
  // Bullet the last line, then undo and redo it like typing.
  await text.press('ArrowDown');
  await list.click();
  await expect(text).toHaveValue('Goals\n**Ship the beta**\n- Hire a designer');
  await expect(list).toHaveAttribute('aria-pressed', 'true');
  await text.press('ControlOrMeta+z');
  await expect(text).toHaveValue('Goals\n**Ship the beta**\nHire a designer');
  await list.click();
  await text.press('End');
  await text.pressSequentially(' and a PM', { delay: 10 });
  const expected = 'Goals\n**Ship the beta**\n- Hire a designer and a PM';
  await expect(text).toHaveValue(expected);
  await expect(bold).toHaveAccessibleName('Bold');
  await expect(panel.getByRole('toolbar', { name: 'Formatting' })).toBeVisible();
  await page.getByTestId('harness-notepad-read').click();
  expect((await result(page)).data.state).toEqual({
    panel: 'notepad',
    text: expected,
    words: countWords(expected),
    characters: expected.length,
  });
  await expect(page.locator('[data-event="notepad:content_changed"]').first()).toContainText(
    'and a PM',
  );
  const file = path.resolve(
    testInfo.project.outputDir,
    '..',
    'screenshots',
    'panel-notepad-format.png',
  );
  await panel.screenshot({ path: file, animations: 'disabled' });
});

test('code: set, highlight, annotate, run JavaScript', async ({ page }, testInfo) => {
  await page.getByTestId('harness-code-js').click();
  const panel = page.getByTestId('panel-code');
  await expect(panel.locator('.cm-content')).toContainText('greet');
  await page.getByTestId('harness-code-highlight').click();
  await expect(panel.locator('[data-agent-highlight]')).toHaveCount(2);
  await page.getByTestId('harness-code-annotate').click();
  await expect(panel.locator('.cm-lint-marker')).toHaveCount(1);
  await panel.getByTestId('code-run').click();
  await expect(panel.getByTestId('code-output')).toHaveText(
    'Hello, Ada!\nHello, Grace!\nHello, Linus!',
  );
  await expect(page.locator('[data-event="code:code_run"]')).toHaveCount(1);
  await page.getByTestId('harness-code-read').click();
  expect((await result(page)).data.state).toMatchObject({
    panel: 'code',
    language: 'javascript',
    last_run_output: expect.stringContaining('Ada'),
  });
  await shot(page, testInfo, 'code');
});

test('whiteboard: agent draws, user draws, undo/redo, PNG export', async ({ page }, testInfo) => {
  await page.getByTestId('harness-whiteboard-open').click();
  await page.getByTestId('harness-whiteboard-draw').click();
  const board = page.getByTestId('whiteboard-canvas');
  await expect(board).toHaveAttribute('data-shape-count', '9');
  const canvas = board.locator('canvas').first();
  // Let the open animation and the fit-to-panel resize settle before measuring.
  await page.waitForTimeout(600);
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.12, box.y + box.height * 0.75);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) {
    await page.mouse.move(
      box.x + box.width * (0.12 + i * 0.02),
      box.y + box.height * (0.75 + Math.sin(i) * 0.04),
    );
  }
  await page.mouse.up();
  await expect(board).toHaveAttribute('data-shape-count', '10');
  await page.getByTestId('whiteboard-undo').click();
  await expect(board).toHaveAttribute('data-shape-count', '9');
  await page.getByTestId('whiteboard-redo').click();
  await expect(board).toHaveAttribute('data-shape-count', '10');
  await page.getByTestId('harness-whiteboard-export').click();
  const exported = await result(page);
  expect(exported.ok).toBe(true);
  // The PNG never rides in an RPC answer (LiveKit caps them at 15 KiB) ...
  expect(exported.data.state?.png_base64).toBeNull();
  await expect(page.getByTestId('harness-image')).toHaveText('—');
  // ... it goes as a byte stream when the agent asks for the image.
  await page.getByTestId('harness-whiteboard-read-image').click();
  const read = (await result(page)) as unknown as {
    data: { state: Record<string, unknown>; image: { stream_id: string; size: number } };
  };
  expect(read.data.state).toMatchObject({ panel: 'whiteboard', shape_count: 10, png_base64: null });
  const sent = JSON.parse((await page.getByTestId('harness-image').textContent()) ?? '{}') as {
    streamId: string;
    bytes: number;
    head: string;
  };
  expect(sent.head).toBe('89504e470d0a1a0a'); // PNG signature
  expect(read.data.image).toEqual({
    stream_id: sent.streamId,
    mime_type: 'image/png',
    size: sent.bytes,
  });
  await shot(page, testInfo, 'whiteboard');
});

test('document: load PDF, navigate, zoom, highlight', async ({ page }, testInfo) => {
  await page.getByTestId('harness-document-open').click();
  const panel = page.getByTestId('panel-document');
  await expect(panel.getByTestId('document-page')).toHaveText('Page 1 of 3');
  await panel.getByTestId('document-next').click();
  await expect(panel.getByTestId('document-page')).toHaveText('Page 2 of 3');
  await page.getByTestId('harness-document-zoom').click();
  await expect(panel.getByTestId('document-zoom')).toHaveText('125%');
  await page.getByTestId('harness-document-highlight').click();
  await expect(panel.getByTestId('document-highlight').first()).toBeVisible();
  await expect(page.locator('[data-event="document:page_viewed"]').first()).toBeAttached();
  await page.getByTestId('harness-document-read').click();
  expect((await result(page)).data.state).toMatchObject({
    panel: 'document',
    page: 2,
    page_count: 3,
    scale: 1.25,
  });
  await shot(page, testInfo, 'document');
});

test('document: sections viewed, user annotates selected text', async ({ page }, testInfo) => {
  await page.getByTestId('harness-document-open').click();
  const panel = page.getByTestId('panel-document');
  await expect(panel.getByTestId('document-page')).toHaveText('Page 1 of 3');
  const layer = panel.getByTestId('document-text-layer');
  await expect(layer).toHaveAttribute('data-section-count', '3');
  // Sections in view for a moment are reported once each, with their text.
  const sections = page.locator('[data-event="document:section_viewed"]');
  await expect(sections).toHaveCount(3);
  await expect(sections.last()).toContainText('"section":1,"heading":"Service Agreement"');
  await expect(sections.first()).toContainText('"heading":"2. Term"');
  await page.waitForTimeout(1200);
  await expect(sections).toHaveCount(3);

  // Select a sentence on the page (the text layer over the canvas) and add a note.
  const annotate = panel.getByTestId('document-annotate');
  await expect(annotate).toBeDisabled();
  const sentence = layer.getByText('The provider delivers onboarding and support.');
  const box = (await sentence.boundingBox())!;
  await page.mouse.move(box.x + 1, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await expect(annotate).toBeEnabled();
  await annotate.click();
  await expect(panel.getByTestId('document-note-form')).toContainText('provider delivers');
  await panel.getByTestId('document-note-input').fill('Who pays for onboarding?');
  await panel.getByTestId('document-note-save').click();
  await expect(panel.getByTestId('document-note-form')).toHaveCount(0);
  const marker = panel.getByTestId('document-note-marker');
  await expect(marker).toHaveCount(1);
  await expect(marker).toHaveAccessibleName('Note: Who pays for onboarding?');
  await expect(panel.getByTestId('document-note-mark').first()).toBeVisible();
  await marker.click();
  await expect(panel.getByTestId('document-note-bubble')).toHaveText('Who pays for onboarding?');
  const added = page.locator('[data-event="document:annotation_added"]');
  await expect(added).toHaveCount(1);
  await expect(added).toContainText('"note":"Who pays for onboarding?"');
  await page.getByTestId('harness-document-read').click();
  const state = (await result(page)).data.state!;
  expect(state.annotations).toEqual([
    {
      type: 'note',
      page: 1,
      text: expect.stringContaining('provider delivers onboarding'),
      note: 'Who pays for onboarding?',
      author: 'user',
    },
  ]);
  const file = path.resolve(
    testInfo.project.outputDir,
    '..',
    'screenshots',
    'panel-document-notes.png',
  );
  await panel.screenshot({ path: file, animations: 'disabled' });

  // Another page: its sections are reported too, the note stays on page 1.
  await panel.getByTestId('document-next').click();
  await expect(page.locator('[data-event="document:section_viewed"]')).toHaveCount(5);
  await expect(marker).toHaveCount(0);
});

test('layout: split view, maximise, minimise and close', async ({ page }, testInfo) => {
  await page.getByTestId('harness-notepad-open').click();
  await page.getByTestId('harness-code-open').click();
  const host = page.getByTestId('panel-host');
  await expect(host).toHaveAttribute('data-count', '2');
  await page.getByTestId('panel-notepad').getByTestId('panel-maximize').click();
  await expect(host).toHaveAttribute('data-count', '1');
  await page.getByTestId('panel-notepad').getByTestId('panel-maximize').click();
  await page.getByTestId('panel-code').getByTestId('panel-minimize').click();
  await expect(page.getByTestId('panel-restore-code')).toBeVisible();
  await page.getByTestId('panel-restore-code').click();
  await expect(host).toHaveAttribute('data-count', '2');
  const file = path.resolve(testInfo.project.outputDir, '..', 'screenshots', 'panels-split.png');
  await page.waitForTimeout(450);
  await page.screenshot({ path: file });
  await page.getByTestId('panel-notepad').getByTestId('panel-close').click();
  await expect(page.locator('[data-event="notepad:closed"]')).toHaveCount(1);
});

test('code: runs Python with the locally served Pyodide', async ({ page }) => {
  test.setTimeout(90_000);
  await page.getByTestId('harness-code-open').click();
  const panel = page.getByTestId('panel-code');
  await expect(panel.locator('.cm-content')).toContainText('fizzbuzz');
  await panel.getByTestId('code-run').click();
  await expect(panel.getByTestId('code-output')).toContainText('FizzBuzz', { timeout: 60_000 });
  await expect(panel.getByTestId('code-output')).toContainText('14');
});

/** Clicks the notepad's close button and reports, right after React's commit, the leaving
 *  frame's animation (null when no frame is left behind). */
async function closeNotepadAndInspect(page: Page) {
  return page.evaluate(async () => {
    const close = document.querySelector<HTMLButtonElement>(
      '[data-testid="panel-notepad"] [data-testid="panel-close"]',
    );
    close!.click();
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const leaving = document.querySelector<HTMLElement>('[data-testid="panel-leaving-notepad"]');
    if (!leaving) return null;
    return {
      animation: getComputedStyle(leaving).animationName,
      inert: leaving.inert,
      hidden: leaving.getAttribute('aria-hidden'),
    };
  });
}

test('closing a panel animates it out; with reduced motion it goes at once', async ({ page }) => {
  await page.getByTestId('harness-notepad-open').click();
  await expect(page.getByTestId('panel-notepad')).toBeVisible();
  await page.waitForTimeout(450); // past the open animation
  const leaving = await closeNotepadAndInspect(page);
  expect(leaving).toMatchObject({ inert: true, hidden: 'true' });
  expect(leaving?.animation).toContain('panel-out');
  // the manager closed it at once (the agent is told); the frame goes when the animation ends
  await expect(page.locator('[data-event="notepad:closed"]')).toHaveCount(1);
  await expect(page.getByTestId('panel-leaving-notepad')).toHaveCount(0);
  await expect(page.getByText('Open a panel from the left.')).toBeVisible();

  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.getByTestId('harness-notepad-open').click();
  await expect(page.getByTestId('panel-notepad')).toBeVisible();
  expect(await closeNotepadAndInspect(page)).toBeNull();
  await expect(page.getByTestId('panel-notepad')).toHaveCount(0);
});
