"""Named decks (“周一编前会”): which pinned charts and quotes each holds, in which order.

A pin or quote belongs to decks through deck_items; duplicating a deck copies its items,
not the charts. Pins and quotes that sit in no deck (made before decks existed, or by
code that only knows store.add_pin) join the first deck the next time decks are read,
so an older store's single pins list becomes its default deck without a lost chart.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from .short_text import short_text

if TYPE_CHECKING:
    from . import Store

DEFAULT_DECK = "默认演示"
NAME_MAX = 40
KINDS = ("pin", "quote")


class DeckError(ValueError):
    """A deck change that cannot be made (message in Chinese)."""


def clean_name(name: str) -> str:
    return short_text(name, what="演示的名称", limit=NAME_MAX, error=DeckError, joiner=" ")


class Decks:
    """Deck reads and writes on one Store (its atomic(), cursor and id helpers)."""

    def __init__(self, store: Store, *, writable: bool = True) -> None:
        self.store = store
        # A read-only deployment never writes, not even the one-off default deck.
        self.writable = writable and not store.read_only

    # ------------------------------------------------------------ reads
    def _has_tables(self) -> bool:
        names = self.store.df(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND table_name IN ('decks', 'deck_items')"
        )
        return len(names) == 2

    def _virtual(self) -> bool:
        """No decks stored (an old or read-only file): all pins and quotes read as one deck, id 0."""
        return not self._has_tables() or self.store.df("SELECT 1 FROM decks LIMIT 1").empty

    def ensure(self) -> None:
        """A default deck when there is none; pins and quotes in no deck join the first deck."""
        if not self.writable or not self._has_tables():
            return
        orphans = self.store.df(
            """SELECT 'pin' AS kind, id FROM pins WHERE id NOT IN (SELECT item_id FROM deck_items WHERE kind = 'pin')
               UNION ALL
               SELECT 'quote', id FROM quotes WHERE id NOT IN (SELECT item_id FROM deck_items WHERE kind = 'quote')
               ORDER BY kind, id"""
        )
        if not orphans.empty or self.store.df("SELECT 1 FROM decks LIMIT 1").empty:
            with self.store.atomic() as cur:
                first = cur.execute("SELECT id FROM decks ORDER BY position, id LIMIT 1").fetchall()
                deck_id = first[0][0] if first else self._create(cur, DEFAULT_DECK)
                for kind, item_id in orphans.itertuples(index=False):
                    self._append(cur, int(deck_id), str(kind), int(item_id))

    def list(self) -> pd.DataFrame:
        """id, name, position, items (count), in the editor's order."""
        self.ensure()
        if self._virtual():
            n = len(self.store.pins()) + len(self.store.quotes())
            return pd.DataFrame({"id": [0], "name": [DEFAULT_DECK], "position": [1], "items": [n]})
        return self.store.df(
            """SELECT d.id, d.name, d.position, count(i.item_id)::INTEGER AS items
               FROM decks d LEFT JOIN deck_items i ON i.deck_id = d.id
               GROUP BY d.id, d.name, d.position ORDER BY d.position, d.id"""
        )

    def items(self, deck_id: int) -> pd.DataFrame:
        """position, kind ('pin'/'quote'), item_id, title of one deck, in slide order."""
        self.ensure()
        if self._virtual():
            p = self.store.pins()
            q = self.store.quotes()
            rows = [("pin", int(i), t) for i, t in zip(p["id"], p["title"])]
            rows += [("quote", int(i), str(t)[:40]) for i, t in zip(q["id"], q["text"])]
            return pd.DataFrame(
                [(k + 1, *r) for k, r in enumerate(rows)], columns=["position", "kind", "item_id", "title"]
            )
        return self.store.df(
            """SELECT i.position, i.kind, i.item_id, coalesce(p.title, left(q.text, 40)) AS title
               FROM deck_items i
               LEFT JOIN pins p ON i.kind = 'pin' AND p.id = i.item_id
               LEFT JOIN quotes q ON i.kind = 'quote' AND q.id = i.item_id
               WHERE i.deck_id = ? AND (p.id IS NOT NULL OR q.id IS NOT NULL)
               ORDER BY i.position""",
            [int(deck_id)],
        )

    def pins(self, deck_id: int) -> pd.DataFrame:
        """The deck's pins (store.pins() columns) in slide order."""
        order = self.items(deck_id)
        ids = [int(i) for k, i in zip(order["kind"], order["item_id"]) if k == "pin"]
        p = self.store.pins().set_index("id")
        return p.loc[[i for i in ids if i in p.index]].reset_index()

    def quotes(self, deck_id: int) -> pd.DataFrame:
        """The deck's quotes (store.quotes() columns) in slide order."""
        order = self.items(deck_id)
        ids = [int(i) for k, i in zip(order["kind"], order["item_id"]) if k == "quote"]
        q = self.store.quotes().set_index("id")
        return q.loc[[i for i in ids if i in q.index]].reset_index()

    # ------------------------------------------------------------ writes
    def _create(self, cur, name: str) -> int:
        new_id = self.store._next_id(cur, "decks")
        pos = int(cur.execute("SELECT coalesce(max(position), 0) + 1 FROM decks").fetchall()[0][0])
        row = {"id": new_id, "name": name, "position": pos, "created_at": dt.datetime.now()}
        self.store._insert_row(cur, "decks", row)
        return new_id

    def _append(self, cur, deck_id: int, kind: str, item_id: int) -> None:
        pos = cur.execute(
            "SELECT coalesce(max(position), 0) + 1 FROM deck_items WHERE deck_id = ?", [deck_id]
        ).fetchall()[0][0]
        self.store._insert_row(
            cur, "deck_items", {"deck_id": deck_id, "kind": kind, "item_id": item_id, "position": int(pos)}
        )

    def _exists(self, cur, deck_id: int) -> None:
        if not cur.execute("SELECT 1 FROM decks WHERE id = ?", [int(deck_id)]).fetchall():
            raise DeckError("找不到这个演示，可能已被删除")

    def create(self, name: str) -> int:
        self.ensure()  # the pins made so far go to the default deck, not to this new one
        with self.store.atomic() as cur:
            return self._create(cur, clean_name(name))

    def rename(self, deck_id: int, name: str) -> None:
        with self.store.atomic() as cur:
            self._exists(cur, deck_id)
            cur.execute("UPDATE decks SET name = ? WHERE id = ?", [clean_name(name), int(deck_id)])

    def duplicate(self, deck_id: int, name: str | None = None) -> int:
        """A new deck after the last, holding the same charts and quotes in the same order."""
        self.ensure()
        with self.store.atomic() as cur:
            self._exists(cur, deck_id)
            old = cur.execute("SELECT name FROM decks WHERE id = ?", [int(deck_id)]).fetchall()[0][0]
            new_id = self._create(cur, clean_name(name or f"{old}（副本）"[:NAME_MAX]))
            cur.execute(
                "INSERT INTO deck_items SELECT ?, kind, item_id, position FROM deck_items WHERE deck_id = ?",
                [new_id, int(deck_id)],
            )
        return new_id

    def delete(self, deck_id: int) -> None:
        """The deck, and the charts and quotes no other deck holds."""
        with self.store.atomic() as cur:
            cur.execute("DELETE FROM decks WHERE id = ?", [int(deck_id)])
            cur.execute("DELETE FROM deck_items WHERE deck_id = ?", [int(deck_id)])
            self._drop_unused(cur)

    def _drop_unused(self, cur) -> None:
        cur.execute("DELETE FROM pins WHERE id NOT IN (SELECT item_id FROM deck_items WHERE kind = 'pin')")
        cur.execute(
            "DELETE FROM quotes WHERE id NOT IN (SELECT item_id FROM deck_items WHERE kind = 'quote')"
        )

    def add(self, deck_id: int, kind: str, item_id: int) -> None:
        """Put a pin or quote (also) in a deck, at its end."""
        if kind not in KINDS:
            raise DeckError(f"未知的演示内容：{kind}")
        self.ensure()
        with self.store.atomic() as cur:
            self._exists(cur, deck_id)
            have = cur.execute(
                "SELECT 1 FROM deck_items WHERE deck_id = ? AND kind = ? AND item_id = ?",
                [int(deck_id), kind, int(item_id)],
            ).fetchall()
            if not have:
                self._append(cur, int(deck_id), kind, int(item_id))

    def remove(self, deck_id: int, kind: str, item_id: int) -> None:
        """Take an item out of one deck (the chart itself goes when no deck holds it)."""
        with self.store.atomic() as cur:
            cur.execute(
                "DELETE FROM deck_items WHERE deck_id = ? AND kind = ? AND item_id = ?",
                [int(deck_id), kind, int(item_id)],
            )
            self._drop_unused(cur)

    def move(self, deck_id: int, kind: str, item_id: int, step: int) -> None:
        """Swap an item with its neighbour step places up (-1) or down (+1); ends stay put."""
        with self.store.atomic() as cur:
            rows = cur.execute(
                "SELECT kind, item_id FROM deck_items WHERE deck_id = ? ORDER BY position", [int(deck_id)]
            ).fetchall()
            order = [(str(k), int(i)) for k, i in rows]
            if (kind, int(item_id)) not in order:
                raise DeckError("这一项不在这个演示里")
            at = order.index((kind, int(item_id)))
            to = min(len(order) - 1, max(0, at + int(step)))
            order.insert(to, order.pop(at))
            for pos, (k, i) in enumerate(order, start=1):
                cur.execute(
                    "UPDATE deck_items SET position = ? WHERE deck_id = ? AND kind = ? AND item_id = ?",
                    [pos, int(deck_id), k, i],
                )

    def move_deck(self, deck_id: int, step: int) -> None:
        """Reorder the deck list itself (up -1, down +1)."""
        with self.store.atomic() as cur:
            order = [int(r[0]) for r in cur.execute("SELECT id FROM decks ORDER BY position, id").fetchall()]
            if int(deck_id) not in order:
                raise DeckError("找不到这个演示，可能已被删除")
            at = order.index(int(deck_id))
            order.insert(min(len(order) - 1, max(0, at + int(step))), order.pop(at))
            for pos, i in enumerate(order, start=1):
                cur.execute("UPDATE decks SET position = ? WHERE id = ?", [pos, i])
