/**
 * The little of the DOM that the tests' in-page callbacks (page.evaluate, waitForFunction) use.
 * The test project compiles without the DOM library (it would clash with Node's stream types), so
 * each test file declares the page's globals with these types: `declare const document: PageDocument;`.
 */
export interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
}

export interface PageDocument {
  body: PageElement;
  activeElement: PageElement | null;
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}

export interface PageWindow {
  innerWidth: number;
  __progressValues?: number[];
}

export type PageMutationObserver = new (callback: () => void) => { observe(target: PageElement, options: { subtree?: boolean; childList?: boolean; attributes?: boolean; attributeFilter?: string[] }): void };

export type PageGetComputedStyle = (element: PageElement) => { outlineStyle: string; outlineWidth: string };
