'use client';

import Link from 'next/link';
import { Fragment, useMemo, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { api } from '../lib/api';
import { formatCount } from '../lib/format';
import { restoreHref } from '../lib/restore';
import type { BookmarkTreeNode } from '../lib/types';
import { useApi } from '../lib/use-api';
import { Empty, ErrorState, Loading } from './states';

interface Indexed {
  /** Parent of each item, for "expand to" and ArrowLeft. */
  parentOf: Map<string, string>;
  byId: Map<string, BookmarkTreeNode>;
}

function indexTree(root: BookmarkTreeNode): Indexed {
  const parentOf = new Map<string, string>();
  const byId = new Map<string, BookmarkTreeNode>();
  const visit = (node: BookmarkTreeNode) => {
    byId.set(node.id, node);
    for (const child of node.children ?? []) {
      parentOf.set(child.id, node.id);
      visit(child);
    }
  };
  visit(root);
  return { parentOf, byId };
}

const isFolder = (node: BookmarkTreeNode) => node.children !== undefined;

/** The Places root and its content roots: restored as part of the whole collection, not one by one. */
const ROOT_IDS = new Set(['places', 'menu', 'toolbar', 'unfiled', 'mobile']);

function itemLabel(node: BookmarkTreeNode): string {
  return node.type === 'separator' ? 'separator' : node.title === '' ? '(no title)' : node.title;
}

/**
 * What can be done with the tree's current item (the one focused or last clicked): restoring it,
 * a folder with everything in it. It sits after the tree, sticking to the bottom of the screen.
 */
function SelectedItemActions({ account, seq, node }: { account: string; seq: number; node: BookmarkTreeNode | undefined }) {
  if (node === undefined || ROOT_IDS.has(node.id)) {
    return (
      <div className="tree-actions" role="group" aria-label="Selected bookmark">
        <p className="muted">Select a bookmark or folder to restore it into the live account.</p>
      </div>
    );
  }
  const folder = isFolder(node);
  const label = itemLabel(node);
  const href = restoreHref(account, { from: seq, kind: folder ? 'folder' : 'bookmark', id: node.id }, label);
  return (
    <div className="tree-actions" role="group" aria-label="Selected bookmark" data-selected-id={node.id}>
      <p>
        <span className="muted">Selected:</span> <strong className="break">{label}</strong>{' '}
        <span className="muted">{folder ? `folder, ${formatCount(node.children?.length ?? 0)} ${(node.children?.length ?? 0) === 1 ? 'item' : 'items'}` : node.type}</span>
      </p>
      <Link className="button button-secondary button-small" href={href} aria-label={folder ? `Restore the folder “${label}” with everything in it…` : `Restore the ${node.type} “${label}”…`}>
        Restore…
      </Link>
    </div>
  );
}

function matches(node: BookmarkTreeNode, query: string): boolean {
  return node.title.toLowerCase().includes(query) || (node.url?.toLowerCase().includes(query) ?? false);
}

/** The text with each occurrence of the query marked. */
function highlight(text: string, query: string): ReactNode {
  if (query === '') return text;
  const parts: ReactNode[] = [];
  const lower = text.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(query); at !== -1; at = lower.indexOf(query, from)) {
    parts.push(text.slice(from, at), <mark key={at}>{text.slice(at, at + query.length)}</mark>);
    from = at + query.length;
  }
  parts.push(text.slice(from));
  return parts.map((part, index) => <Fragment key={index}>{part}</Fragment>);
}

/** The items shown with these folders open, in reading order, each with its depth. */
function visibleItems(root: BookmarkTreeNode, expanded: ReadonlySet<string>): Array<{ node: BookmarkTreeNode; depth: number }> {
  const items: Array<{ node: BookmarkTreeNode; depth: number }> = [];
  const walk = (nodes: readonly BookmarkTreeNode[], depth: number) => {
    for (const node of nodes) {
      items.push({ node, depth });
      if (isFolder(node) && expanded.has(node.id)) walk(node.children ?? [], depth + 1);
    }
  };
  walk(root.children ?? [], 1);
  return items;
}

/**
 * A snapshot's bookmarks as folders (the WAI-ARIA tree pattern): click or Enter opens a folder;
 * arrows move, Right opens or steps in, Left closes or steps out, Home/End jump. Search opens the
 * folders down to every item whose title or URL matches, and marks the match.
 */
export function BookmarkTreeView({ account, seq }: { account: string; seq: number }) {
  const loaded = useApi(() => api.bookmarkTree(account, seq), `${account}:${seq}:tree`);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [focusedId, setFocusedId] = useState<string | undefined>(undefined);
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const itemRefs = useRef(new Map<string, HTMLLIElement>());

  const root = loaded.data?.tree;
  const index = useMemo(() => (root === undefined ? undefined : indexTree(root)), [root]);
  const matched = useMemo(() => {
    if (index === undefined || query === '') return new Set<string>();
    return new Set([...index.byId.values()].filter((node) => node.id !== 'places' && matches(node, query)).map((node) => node.id));
  }, [index, query]);

  if (loaded.error !== undefined) return <ErrorState title="Could not build the bookmark tree." message={loaded.error} onRetry={loaded.reload} />;
  if (root === undefined || index === undefined) return <Loading what="the bookmark tree" />;

  const items = visibleItems(root, expanded);
  const current = focusedId !== undefined && items.some((item) => item.node.id === focusedId) ? focusedId : items[0]?.node.id;

  function focus(id: string | undefined) {
    if (id === undefined) return;
    setFocusedId(id);
    itemRefs.current.get(id)?.focus();
  }

  function toggle(id: string, open?: boolean) {
    setExpanded((before) => {
      const next = new Set(before);
      if (open ?? !next.has(id)) next.add(id);
      else next.delete(id);
      return next;
    });
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = search.trim().toLowerCase();
    setQuery(text);
    if (text === '' || index === undefined) return;
    const open = new Set(expanded);
    for (const node of index.byId.values()) {
      if (node.id === 'places' || !matches(node, text)) continue;
      for (let parent = index.parentOf.get(node.id); parent !== undefined && parent !== 'places'; parent = index.parentOf.get(parent)) open.add(parent);
    }
    setExpanded(open);
  }

  function onKeyDown(event: KeyboardEvent<HTMLLIElement>, node: BookmarkTreeNode) {
    const at = items.findIndex((item) => item.node.id === node.id);
    const parent = index?.parentOf.get(node.id);
    const open = expanded.has(node.id);
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        focus(items[at + 1]?.node.id);
        break;
      case 'ArrowUp':
        focus(items[at - 1]?.node.id);
        break;
      case 'Home':
        focus(items[0]?.node.id);
        break;
      case 'End':
        focus(items.at(-1)?.node.id);
        break;
      case 'ArrowRight':
        if (isFolder(node) && !open) toggle(node.id, true);
        else if (isFolder(node)) focus(node.children?.[0]?.id);
        break;
      case 'ArrowLeft':
        if (isFolder(node) && open) toggle(node.id, false);
        else if (parent !== undefined && parent !== 'places') focus(parent);
        break;
      case 'Enter':
      case ' ':
        if (isFolder(node)) toggle(node.id);
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  }

  const problemCount = Object.values(loaded.data?.problems ?? {}).reduce((sum, list) => sum + list.length, 0);

  const renderNodes = (nodes: readonly BookmarkTreeNode[], depth: number): ReactNode =>
    nodes.map((node) => {
      const folder = isFolder(node);
      const open = expanded.has(node.id);
      const hit = matched.has(node.id);
      const label = node.type === 'separator' ? '—' : itemLabel(node);
      return (
        <li
          key={node.id}
          role="treeitem"
          aria-level={depth}
          aria-expanded={folder ? open : undefined}
          aria-selected={hit}
          tabIndex={node.id === current ? 0 : -1}
          data-bookmark-id={node.id}
          data-match={hit ? 'true' : undefined}
          data-current={node.id === focusedId ? 'true' : undefined}
          className={`tree-item${hit ? ' tree-match' : ''}`}
          ref={(element) => {
            if (element === null) itemRefs.current.delete(node.id);
            else itemRefs.current.set(node.id, element);
          }}
          onKeyDown={(event) => onKeyDown(event, node)}
          onFocus={(event) => {
            if (event.target === event.currentTarget) setFocusedId(node.id);
          }}
        >
          <div
            className="tree-row"
            onClick={() => {
              focus(node.id);
              if (folder) toggle(node.id);
            }}
          >
            <span className="tree-twisty" aria-hidden="true">
              {folder ? (open ? '▾' : '▸') : ''}
            </span>
            <span className="tree-title">{highlight(label, query)}</span>
            {folder && <span className="muted tree-count">{formatCount(node.children?.length ?? 0)}</span>}
            {node.url !== undefined && (
              <span className="tree-url muted break">
                {' '}
                {highlight(node.url, query)}
              </span>
            )}
          </div>
          {folder && open && (node.children?.length ?? 0) > 0 && <ul role="group">{renderNodes(node.children ?? [], depth + 1)}</ul>}
        </li>
      );
    });

  return (
    <div className="bookmark-tree">
      <form className="search" role="search" onSubmit={submit}>
        <label htmlFor="tree-search" className="visually-hidden">
          Search the bookmark tree
        </label>
        <input id="tree-search" type="search" placeholder="Find by title or URL" value={search} onChange={(event) => setSearch(event.target.value)} />
        <button type="submit" className="button button-secondary">
          Find
        </button>
      </form>
      <p className="muted" aria-live="polite">
        {query === '' ? '' : matched.size === 0 ? `Nothing matches “${query}”.` : `${formatCount(matched.size)} ${matched.size === 1 ? 'item matches' : 'items match'} “${query}”, highlighted below.`}
      </p>
      {problemCount > 0 && (
        <p className="banner banner-info" data-tree-problems={problemCount}>
          The tree has {formatCount(problemCount)} structural {problemCount === 1 ? 'problem' : 'problems'} (orphans, missing children…), as Firefox’s validator would count them.
        </p>
      )}
      {(root.children?.length ?? 0) === 0 ? (
        <Empty title="No bookmark in this snapshot." />
      ) : (
        <>
          <ul role="tree" aria-label="Bookmarks" className="tree">
            {renderNodes(root.children ?? [], 1)}
          </ul>
          <SelectedItemActions account={account} seq={seq} node={focusedId === undefined ? undefined : index.byId.get(focusedId)} />
        </>
      )}
    </div>
  );
}
