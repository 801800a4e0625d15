import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { PanelManagerProvider } from '@/panels/panel-context';
import { PanelManager } from '@/panels/panel-manager';
import { PANEL_REGISTRY } from '@/panels/registry';
import { WorkspaceSlot } from './session-stage';

describe('WorkspaceSlot', () => {
  it('shows no empty "Shared workspace" box for a template without panels', () => {
    render(<WorkspaceSlot enabledPanels={[]} />);
    expect(screen.queryByTestId('workspace-slot')).toBeNull();
    expect(screen.queryByText('Shared workspace')).toBeNull();
  });

  it('keeps the workspace for a template with panels', () => {
    render(
      <PanelManagerProvider value={new PanelManager(PANEL_REGISTRY, ['notepad'])}>
        <WorkspaceSlot enabledPanels={['notepad']} />
      </PanelManagerProvider>,
    );
    expect(screen.getByTestId('workspace-slot')).toHaveTextContent('Shared workspace');
  });
});
