"""Positions for big maps, computed ahead in Python so the browser draws without physics.

A force-directed layout (Fruchterman–Reingold) in its "grid" form: nodes
repel only those within twice the ideal edge length, found with a k-d tree,
so one step costs about O(n log n) instead of O(n²). To avoid the tangles a
plain force layout leaves in big graphs, it runs on several levels: the
graph is coarsened by merging matched neighbours (and leaves into their
hub) until it is small, the smallest graph is laid out first, and each finer
level starts from its coarser level's positions. Connected components are
laid out one by one and packed in rows, biggest first.

Everything is seeded and the node order is sorted, so the same graph gives
the same positions on every run and machine (coordinates are rounded to
0.1 px). On the 2-core development machine: about 0.6 s for 1,000 nodes
and 6 s for 10,000 (``bench/bench_map.py``), where networkx's own
spring_layout takes 5 s for 1,000 and grows with the square of the size.
"""

from __future__ import annotations

import math
from collections.abc import Hashable

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

EDGE_LENGTH = 150.0  #: ideal distance between linked nodes, in vis-network pixels
COARSEST = 60  #: a graph this small is laid out directly
FINE_SIZE = 2000  #: levels bigger than this get proportionally fewer steps (at least a quarter)
SEED = 7
REPULSION = 2.0  #: C in the repulsion C·k²/d
SPACING = 0.45  #: the drawing is stretched until half the nodes have no other this near (in edge lengths)


def layout(
    graph: nx.Graph,
    *,
    seed: int = SEED,
    edge_length: float = EDGE_LENGTH,
    iterations: int = 60,
) -> dict[Hashable, tuple[float, float]]:
    """``{node: (x, y)}`` for every node of ``graph`` (directions, keys and self-loops are ignored)."""
    nodes = sorted(graph.nodes, key=str)
    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    pairs = {(min(index[a], index[b]), max(index[a], index[b])) for a, b in graph.edges() if a != b}
    edges = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    adjacency = _adjacency(n, edges)
    count, labels = csgraph.connected_components(adjacency, directed=False)
    members = [np.flatnonzero(labels == c) for c in range(count)]
    members.sort(key=lambda m: (-len(m), int(m[0])))

    rng = np.random.default_rng(seed)
    pieces = []
    for member in members:
        if len(member) == 1:
            local = np.zeros((1, 2))
        elif len(member) == 2:
            local = np.array([[0.0, 0.0], [1.0, 0.0]])
        else:
            sub = adjacency[member][:, member].tocoo()
            keep = sub.row < sub.col
            sub_edges = np.column_stack([sub.row[keep], sub.col[keep]]).astype(np.int64)
            local = _multilevel(len(member), sub_edges, rng, iterations)
        pieces.append((member, local))
    positions = _pack(pieces, n) * edge_length
    positions -= positions.mean(axis=0)
    return {nodes[i]: (round(float(x), 1), round(float(y), 1)) for i, (x, y) in enumerate(positions)}


def _adjacency(n: int, edges: np.ndarray) -> sparse.csr_matrix:
    data = np.ones(len(edges) * 2)
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(n, n))
    matrix.data[:] = 1.0
    return matrix


def _coarsen(n: int, edges: np.ndarray, rng: np.random.Generator) -> tuple[int, np.ndarray, np.ndarray]:
    """Merge each leaf into its neighbour and then a matching of the rest: (coarse n, parent of each node, coarse edges)."""
    parent = np.full(n, -1, dtype=np.int64)
    degree = np.bincount(edges.ravel(), minlength=n)
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges.tolist():
        neighbours[a].append(b)
        neighbours[b].append(a)
    groups = 0
    # leaves go with their only neighbour (stars, the usual shape of "document mentions", shrink at once)
    for hub in np.argsort(-degree, kind="stable").tolist():
        if parent[hub] >= 0 or degree[hub] <= 1:
            continue
        leaves = [v for v in neighbours[hub] if degree[v] == 1 and parent[v] < 0]
        if leaves:
            parent[hub] = groups
            parent[leaves] = groups
            groups += 1
    # then a matching, visiting nodes in a seeded random order, lightest neighbour first
    for u in rng.permutation(n).tolist():
        if parent[u] >= 0:
            continue
        free = [v for v in neighbours[u] if parent[v] < 0]
        parent[u] = groups
        if free:
            parent[min(free, key=lambda v: (degree[v], v))] = groups
        groups += 1
    coarse = parent[edges]
    coarse = coarse[coarse[:, 0] != coarse[:, 1]]
    coarse = np.unique(np.sort(coarse, axis=1), axis=0)
    return groups, parent, coarse


def _multilevel(n: int, edges: np.ndarray, rng: np.random.Generator, iterations: int) -> np.ndarray:
    levels: list[tuple[int, np.ndarray, np.ndarray | None]] = [(n, edges, None)]
    while levels[-1][0] > COARSEST:
        size, level_edges, _ = levels[-1]
        coarse_n, parent, coarse_edges = _coarsen(size, level_edges, rng)
        if coarse_n > 0.9 * size:  # coarsening no longer pays
            break
        levels[-1] = (size, level_edges, parent)
        levels.append((coarse_n, coarse_edges, None))
    pos: np.ndarray | None = None
    for depth in range(len(levels) - 1, -1, -1):
        size, level_edges, up = levels[depth]
        # the coarse graph takes the area the final one will: its ideal length is longer
        k = math.sqrt(n / size)
        if pos is None:
            side = math.sqrt(size) * k
            pos = rng.random((size, 2)) * side
            pos = _force(pos, level_edges, k, side / 8, max(iterations * 3, 150))
        else:
            assert up is not None  # every level above the coarsest knows its parent
            pos = pos[up] + _spiral(up, k * 0.5) + (rng.random((size, 2)) - 0.5) * (k * 0.05)
            # finer levels start close to their answer: fewer steps where steps cost most
            steps = int(min(iterations, max(iterations // 4, iterations * FINE_SIZE / size)))
            pos = _force(pos, level_edges, k, k * 1.5, steps)
    # hubs gather their many neighbours close: stretch the whole drawing until most nodes have room
    if pos is None:
        raise ValueError("the layout has no levels")
    nearest = cKDTree(pos).query(pos, k=2)[0][:, 1]
    return pos * max(1.0, SPACING / max(float(np.median(nearest)), 1e-9))


def _spiral(parent: np.ndarray, step: float) -> np.ndarray:
    """Offsets that spread the members of each group on a sunflower spiral round their group's place."""
    order = np.argsort(parent, kind="stable")
    starts = np.searchsorted(parent[order], parent[order], side="left")
    rank = np.empty(len(parent), dtype=np.float64)
    rank[order] = np.arange(len(parent)) - starts
    radius, angle = step * np.sqrt(rank), rank * 2.399963  # the golden angle
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])


def _force(pos: np.ndarray, edges: np.ndarray, k: float, temperature: float, iterations: int) -> np.ndarray:
    """Fruchterman–Reingold with repulsion cut off at 2k (the grid variant), cooling linearly."""
    n = len(pos)
    a, b = (edges[:, 0], edges[:, 1]) if len(edges) else (np.empty(0, np.int64), np.empty(0, np.int64))
    for step in range(iterations):
        t = temperature * (1 - step / iterations) + k * 0.01
        disp = np.zeros_like(pos)
        near = cKDTree(pos).query_pairs(2 * k, output_type="ndarray")
        if len(near):
            i, j = near[:, 0], near[:, 1]
            delta = pos[i] - pos[j]
            dist2 = np.maximum((delta**2).sum(axis=1), 1e-4 * k * k)
            push = delta * (REPULSION * k * k / dist2)[:, None]  # magnitude C·k²/d along the unit vector
            for axis in (0, 1):
                disp[:, axis] += np.bincount(i, push[:, axis], n) - np.bincount(j, push[:, axis], n)
        if len(a):
            delta = pos[a] - pos[b]
            dist = np.sqrt((delta**2).sum(axis=1))
            pull = delta * (dist / k)[:, None]  # magnitude d²/k
            for axis in (0, 1):
                disp[:, axis] += np.bincount(b, pull[:, axis], n) - np.bincount(a, pull[:, axis], n)
        length = np.sqrt((disp**2).sum(axis=1))
        scale = np.minimum(length, t) / np.maximum(length, 1e-9)
        pos = pos + disp * scale[:, None]
    return pos


def _pack(pieces: list[tuple[np.ndarray, np.ndarray]], n: int, gap: float = 1.5) -> np.ndarray:
    """Place each component's layout in rows (shelves), biggest first, in a roughly square block."""
    boxes = []
    total = 0.0
    for member, local in pieces:
        local = local - local.min(axis=0)
        width, height = local.max(axis=0) + gap
        boxes.append((member, local, width, height))
        total += width * height
    row_width = max(math.sqrt(total) * 1.2, max(b[2] for b in boxes))
    out = np.zeros((n, 2))
    x = y = row_height = 0.0
    for member, local, width, height in boxes:
        if x > 0 and x + width > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        out[member] = local + (x, y)
        x += width
        row_height = max(row_height, height)
    return out
