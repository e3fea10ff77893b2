import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { installFakeApi } from '../test-api';
import { emptyDocument, useEditor } from '../store';
import { Dialogs } from './Dialogs';
import { handleShortcut } from './shortcuts';

const template = (id: string) => ({
  id, name: id, description: `the ${id} model`,
  text: JSON.stringify({ format: 'layerloom.model', version: 1, name: id, nodes: [{ id: 'x', type: 'Input', params: { shape: [2] } }], edges: [] }),
});

describe('editor dialogs: keyboard focus', () => {
  beforeEach(() => {
    useEditor.getState().loadDocument(emptyDocument());
    installFakeApi({ 'file.listTemplates': () => ({ templates: [template('alpha'), template('beta')] }) });
  });
  // Unmount first: closing the dialog while <Dialogs /> is still mounted updates it outside act().
  afterEach(() => {
    cleanup();
    useEditor.getState().openDialog(null);
  });

  it('the template gallery takes the focus and Tab cycles inside it (not on to the toolbar behind)', async () => {
    const behind = document.createElement('button');
    behind.textContent = 'Save (toolbar)';
    document.body.appendChild(behind);
    behind.focus();
    useEditor.getState().openDialog('templates');
    render(<Dialogs />);
    const dialog = screen.getByRole('dialog', { name: 'New from template' });
    expect(document.activeElement).toBe(dialog);
    await screen.findByTestId('template-beta');
    const close = screen.getByRole('button', { name: 'Close' });
    const last = screen.getByTestId('template-beta');
    fireEvent.keyDown(dialog, { key: 'Tab' }); // from the dialog itself: its first control
    expect(document.activeElement).toBe(close);
    last.focus();
    fireEvent.keyDown(last, { key: 'Tab' });
    expect(document.activeElement).toBe(close);
    fireEvent.keyDown(close, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(last);
    // In between, Tab is left to the browser.
    const alpha = screen.getByTestId('template-alpha');
    alpha.focus();
    expect(fireEvent.keyDown(alpha, { key: 'Tab' })).toBe(true); // not prevented
    behind.remove();
  });

  it('Save As keeps its name field focused (autoFocus wins over the dialog)', async () => {
    useEditor.getState().openDialog('saveAs');
    render(<Dialogs />);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('File name (in the project folder)')));
  });

  it('Open: a malformed .loom is refused with the reason in the dialog, where the person clicked', async () => {
    installFakeApi({
      'file.recent': () => ({ files: [] }),
      'file.list': () => ({ dir: '/p', files: [{ name: 'broken.loom', path: '/p/broken.loom' }] }),
      'file.open': () => ({ canceled: false, path: '/p/broken.loom', name: 'broken.loom', text: '{"format": "layerloom.model", "version": 1, "nodes": [{"id": "x"}' }),
    });
    useEditor.getState().openDialog('open');
    render(<Dialogs />);
    fireEvent.click(await screen.findByRole('button', { name: /broken\.loom/ }));
    const error = await screen.findByTestId('open-error');
    expect(error).toHaveTextContent(/Cannot open broken\.loom/);
    expect(screen.getByRole('dialog', { name: 'Open model' })).toContainElement(error);
    expect(useEditor.getState().doc.nodes).toEqual([]); // nothing replaced
  });

  it('? shows the keyboard shortcuts; Escape closes the sheet', async () => {
    render(<Dialogs />);
    act(() => handleShortcut(new KeyboardEvent('keydown', { key: '?' })));
    const sheet = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(sheet).toHaveTextContent('Ctrl+Shift+S');
    expect(sheet).toHaveTextContent('Zoom to fit');
    fireEvent.keyDown(sheet, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});
