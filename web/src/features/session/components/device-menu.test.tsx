import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { DeviceMenu } from './device-menu';

const MICS = [
  { deviceId: 'default', label: 'Default - Built-in' },
  { deviceId: 'usb', label: 'USB headset' },
  { deviceId: 'cam', label: 'Webcam microphone' },
];

function renderMenu(props: Partial<Parameters<typeof DeviceMenu>[0]> = {}) {
  const onSelect = vi.fn();
  render(
    <div>
      <p>outside</p>
      <DeviceMenu
        label="Microphone"
        testId="mic-menu"
        devices={MICS}
        activeDeviceId="usb"
        emptyLabel="No microphone found"
        onSelect={onSelect}
        {...props}
      />
    </div>,
  );
  return { onSelect, button: screen.getByTestId('mic-menu') };
}

describe('DeviceMenu', () => {
  it('opens a menu of the devices with the one in use checked and focused', () => {
    const { button } = renderMenu();
    expect(screen.queryByRole('menu')).toBeNull();
    expect(button).toHaveAttribute('aria-haspopup', 'menu');
    expect(button).toHaveAttribute('aria-expanded', 'false');
    fireEvent.click(button);
    expect(button).toHaveAttribute('aria-expanded', 'true');
    const menu = screen.getByRole('menu', { name: 'Microphone' });
    const items = screen.getAllByRole('menuitemradio');
    expect(items.map((i) => i.textContent)).toEqual(MICS.map((m) => m.label));
    expect(items.map((i) => i.getAttribute('aria-checked'))).toEqual(['false', 'true', 'false']);
    expect(menu).toContainElement(document.activeElement as HTMLElement);
    expect(document.activeElement).toBe(items[1]);
  });

  it('picks a device, closes and gives the focus back', () => {
    const { button, onSelect } = renderMenu();
    fireEvent.click(button);
    fireEvent.click(screen.getByRole('menuitemradio', { name: 'Webcam microphone' }));
    expect(onSelect).toHaveBeenCalledWith('cam');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
    // picking the device already in use changes nothing
    fireEvent.click(button);
    fireEvent.click(screen.getByRole('menuitemradio', { name: 'USB headset' }));
    expect(onSelect).toHaveBeenCalledTimes(1);
  });

  it('moves with the arrow keys and closes on Escape or a click elsewhere', () => {
    const { button } = renderMenu();
    fireEvent.keyDown(button, { key: 'ArrowUp' });
    const menu = screen.getByRole('menu');
    const items = screen.getAllByRole('menuitemradio');
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[2]);
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[0]);
    fireEvent.keyDown(menu, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(items[2]);
    fireEvent.keyDown(menu, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);

    fireEvent.click(button);
    fireEvent.pointerDown(screen.getByText('outside'));
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('says when there is no device, and checks the first when none is known to be in use', () => {
    const { button, onSelect } = renderMenu({ devices: [] });
    fireEvent.click(button);
    const only = screen.getByRole('menuitemradio');
    expect(only).toHaveTextContent('No microphone found');
    expect(only).toHaveAttribute('aria-disabled', 'true');
    fireEvent.click(only);
    expect(onSelect).not.toHaveBeenCalled();
  });

  it('checks the first device while the active one is unknown', () => {
    const { button } = renderMenu({ activeDeviceId: '' });
    fireEvent.click(button);
    const items = screen.getAllByRole('menuitemradio');
    expect(items[0]).toHaveAttribute('aria-checked', 'true');
  });
});
