/**
 * What the sidebar panel needs of each of its views (one tab each).
 */

/** One view of the panel, shown under its tab (see TABS in panel.ts). */
export interface IPanelView {
  /** The view's root element. */
  readonly node: HTMLElement;
  /** Fetch what the view shows from the server and draw it; never throws. */
  refresh(): Promise<void>;
  /**
   * Called every second while the view is shown and the page is visible; `due` is true
   * every POLL_MS. Poll here, and only for what can still change.
   */
  tick?(due: boolean): void;
}
