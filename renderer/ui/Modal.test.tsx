import { fireEvent, render, screen } from '@testing-library/react';
import { Modal } from './Modal';

describe('Modal', () => {
  it('is a dialog labelled by its title, takes the focus, and Escape or ✕ closes it', () => {
    const onClose = vi.fn();
    render(<Modal title="Pick one" onClose={onClose}><button type="button">a</button></Modal>);
    const dialog = screen.getByRole('dialog', { name: 'Pick one' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(document.activeElement).toBe(dialog);
    fireEvent.keyDown(screen.getByText('a'), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalledTimes(2);
  });

  it('keeps Tab inside and plain keys from the page behind; Ctrl/Cmd combinations reach the app', () => {
    const behind = vi.fn();
    window.addEventListener('keydown', behind);
    try {
      render(<Modal title="T" onClose={() => {}}><input aria-label="name" /></Modal>);
      const close = screen.getByRole('button', { name: 'Close' });
      const input = screen.getByLabelText('name');
      input.focus();
      fireEvent.keyDown(input, { key: 'Tab' });
      expect(document.activeElement).toBe(close);
      fireEvent.keyDown(input, { key: 'Delete' });
      expect(behind).not.toHaveBeenCalled();
      fireEvent.keyDown(input, { key: 's', ctrlKey: true });
      expect(behind).toHaveBeenCalledTimes(1);
    } finally {
      window.removeEventListener('keydown', behind);
    }
  });
});
