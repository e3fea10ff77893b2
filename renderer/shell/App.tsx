/** The editor screen: toolbar; palette | canvas | inspector; bottom panel (summary, problems, training). */
import { layerCount } from '../ui/format';
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { Canvas } from '../editor/Canvas';
import { Inspector } from '../editor/Inspector';
import { Palette } from '../editor/Palette';
import { useEditor } from '../store';
import { useDataSample } from '../training/useDataSample';
import { BottomPanel } from './BottomPanel';
import { Dialogs } from './Dialogs';
import { RecoveryBanner } from './RecoveryBanner';
import { Toolbar } from './Toolbar';
import { useDocumentEffects } from './useDocumentEffects';
import { usePlatformEvents } from './usePlatformEvents';

function StatusBar() {
  const notice = useEditor((s) => s.notice);
  const nodes = useEditor((s) => s.doc.nodes.length);
  const selected = useEditor((s) => s.selectedNodes.length);
  return (
    <footer className="statusbar">
      <span className={notice?.kind === 'error' ? 'error' : undefined} data-testid="notice">{notice?.text ?? 'Ready'}</span>
      <span className="spacer" />
      <span>{layerCount(nodes)}{selected ? ` · ${selected} selected` : ''}</span>
    </footer>
  );
}

export function App() {
  const theme = useEditor((s) => s.theme);
  const bottomHeight = useEditor((s) => s.bottomHeight);
  const bottomOpen = useEditor((s) => s.bottomOpen);
  useDocumentEffects();
  usePlatformEvents();
  useDataSample();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return (
    <ReactFlowProvider>
      <div className="app" style={{ ['--bottom-h' as string]: bottomOpen ? `${bottomHeight}px` : '34px' }}>
        <Toolbar />
        <div className="banner-slot"><RecoveryBanner /></div>
        <main className="workspace">
          <Palette />
          <Canvas />
          <Inspector />
        </main>
        <BottomPanel />
        <StatusBar />
        <Dialogs />
      </div>
    </ReactFlowProvider>
  );
}
