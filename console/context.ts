/** What every view gets: where to render, the zone in view, and a way to stop its timers when the user leaves. */
export interface ViewContext {
  main: HTMLElement;
  zone: string | null;
  /** runs when the view is left (the live audit stops polling) */
  onLeave(fn: () => void): void;
  /** true once the user navigated away: late answers must not render */
  left(): boolean;
  /** a short message in the status region (announced by screen readers) */
  status(message: string): void;
}

export type View = (ctx: ViewContext, params: string[]) => Promise<void>;

export function zonePath(ctx: ViewContext): string {
  if (!ctx.zone) throw new Error("no zone selected");
  return `/zones/${encodeURIComponent(ctx.zone)}`;
}
