'use client';

import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { CheckIcon, ChevronUpIcon } from '@/components/ui/icons';
import styles from './device-menu.module.css';

export interface DeviceOption {
  deviceId: string;
  label: string;
}

/**
 * A device picker as meeting apps have it: a small button next to the device's toggle opens a
 * menu of the devices (the one in use checked). Arrow keys move, Enter / Space pick, Escape or a
 * click elsewhere closes and gives the focus back to the button.
 */
export function DeviceMenu({
  label,
  devices,
  activeDeviceId,
  emptyLabel,
  onSelect,
  testId,
}: {
  /** What the devices are, e.g. "Microphone": the button's name and the menu's title. */
  label: string;
  devices: DeviceOption[];
  activeDeviceId: string;
  /** Shown as the only, disabled entry when there is no device to choose. */
  emptyLabel: string;
  onSelect: (deviceId: string) => void;
  /** `<testId>` is the button, `<testId>-list` the menu, `<testId>-item` each device. */
  testId: string;
}) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const menuItems = () =>
    Array.from(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitemradio"]') ?? []);
  // With no device id known yet the browser uses its default: the first in the list.
  const active = devices.some((d) => d.deviceId === activeDeviceId)
    ? activeDeviceId
    : devices[0]?.deviceId;

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    const index = Math.max(
      0,
      devices.findIndex((d) => d.deviceId === active),
    );
    menuItems()[index]?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
    // focus once per opening, not on every device change
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const onMenuKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const enabled = menuItems();
    const at = enabled.indexOf(document.activeElement as HTMLButtonElement);
    const move = (to: number) => {
      event.preventDefault();
      enabled[(to + enabled.length) % enabled.length]?.focus();
    };
    if (event.key === 'Escape') {
      event.preventDefault();
      close(true);
    } else if (event.key === 'ArrowDown') move(at + 1);
    else if (event.key === 'ArrowUp') move(at - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(enabled.length - 1);
    else if (event.key === 'Tab') setOpen(false);
  };

  return (
    <div className={styles.deviceMenu} ref={root}>
      <button
        ref={button}
        type="button"
        className={styles.menuButton}
        data-testid={testId}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={`${label} settings`}
        title={`${label} settings`}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        <ChevronUpIcon size={16} />
      </button>
      {open && (
        <div
          id={menuId}
          ref={menu}
          role="menu"
          aria-label={label}
          className={styles.menu}
          data-testid={`${testId}-list`}
          onKeyDown={onMenuKey}
        >
          <div className={styles.menuTitle} aria-hidden="true">
            {label}
          </div>
          {devices.length === 0 ? (
            <button
              type="button"
              role="menuitemradio"
              aria-checked="false"
              aria-disabled="true"
              className={styles.menuItem}
              data-testid={`${testId}-item`}
            >
              <span className={styles.check} />
              <span className={styles.itemLabel}>{emptyLabel}</span>
            </button>
          ) : (
            devices.map((device, index) => {
              const checked = device.deviceId === active;
              return (
                <button
                  key={device.deviceId || index}
                  type="button"
                  role="menuitemradio"
                  aria-checked={checked}
                  className={styles.menuItem}
                  data-testid={`${testId}-item`}
                  data-device-id={device.deviceId}
                  onClick={() => {
                    if (!checked) onSelect(device.deviceId);
                    close(true);
                  }}
                >
                  <span className={styles.check}>{checked && <CheckIcon size={16} />}</span>
                  <span className={styles.itemLabel}>{device.label}</span>
                </button>
              );
            })
          )}
        </div>
      )}
    </div>
  );
}
