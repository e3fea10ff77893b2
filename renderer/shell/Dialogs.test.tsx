import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { installFakeApi } from '../test-api';
import { emptyDocument, useEditor } from '../store';
import { Dialogs } from './Dialogs';

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
});
