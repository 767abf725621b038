"""A layered layout of a `Diagram`, for drawing it without Graphviz.

The classic Sugiyama scheme, as Graphviz's `dot` does it, kept small because model graphs are
small, directed and acyclic:

1. ranks by longest path (a source sits just above its first consumer, so a second input
   does not float at the top of a deep model);
2. an edge spanning several ranks gets a dummy vertex per rank it crosses;
3. orders within ranks by barycenter sweeps, keeping the order with the fewest crossings;
4. positions along each rank by least squares towards the neighbours (pool-adjacent-violators
   under the minimum separations), alternating downward and upward passes;
5. edges drawn orthogonally (Keras asks Graphviz for `splines="ortho"`): vertical runs joined by
   horizontal jogs between ranks, each jog on its own track so parallel jogs do not overlap.

A nested model drawn expanded (a `Cluster`) is laid out first as a block, then placed in its
parent as one vertex, so frames never overlap; edges into and out of it run straight to the
layer inside. Work is done in an abstract frame, `o` along a rank and `r` across ranks, then
turned to page coordinates (points, y down) for `rankdir` TB, BT, LR or RL.
"""

import dataclasses

from lamina._src.utils.diagram import Cluster, Diagram

NODESEP = 18.0  # Graphviz's defaults: nodesep 0.25 in, ranksep 0.5 in (in points)
RANKSEP = 36.0
TRACK = 7.0  # between parallel horizontal jogs in one gap between ranks
DUMMY_SIZE = 8.0  # room along a rank for an edge passing through it
DUMMY_SEP = 6.0
PAD = 12.0  # inside a cluster's frame
MARGIN = 8.0  # around the page
PORT_SPACING = 24.0
SWEEPS = 12


@dataclasses.dataclass
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclasses.dataclass
class Layout:
    """Page coordinates in points, y pointing down. `edges[i]` is the polyline of
    `diagram.edges[i]`, from the source box's border to the destination's."""

    width: float
    height: float
    boxes: dict[str, Rect]
    clusters: list[tuple[Cluster, Rect]]
    edges: list[list[tuple[float, float]]]


@dataclasses.dataclass
class _Route:
    """Where one edge runs in the abstract frame: the rank-crossing lanes of its dummies and
    the gaps (r-intervals) between the ranks it crosses; `len(gaps) == len(lanes) + 1`."""

    source: str
    target: str
    lanes: list[float]
    gaps: list[tuple[float, float]]


@dataclasses.dataclass
class _Block:
    """A laid-out level, relative to its top-left corner: its size and everything below it."""

    size_o: float
    size_r: float
    leaves: dict[str, list[float]]  # key -> [o center, r center, size o, size r]
    frames: list[tuple[Cluster, list[float]]]  # [o0, r0, o1, r1]
    routes: dict[int, _Route]

    def shifted(self, do: float, dr: float) -> "_Block":
        for leaf in self.leaves.values():
            leaf[0] += do
            leaf[1] += dr
        for _, frame in self.frames:
            frame[0] += do
            frame[2] += do
            frame[1] += dr
            frame[3] += dr
        for route in self.routes.values():
            route.lanes = [lane + do for lane in route.lanes]
            route.gaps = [(a + dr, b + dr) for a, b in route.gaps]
        return self


def layout(diagram: Diagram, box_sizes: dict[str, tuple[float, float]],
           label_sizes: dict[str, tuple[float, float]]) -> Layout:
    """Lay `diagram` out. `box_sizes` gives each box's page (width, height), `label_sizes` each
    cluster label's (by cluster key)."""
    rankdir = diagram.rankdir.upper()
    if rankdir not in ("TB", "BT", "LR", "RL"):
        raise ValueError(f"`rankdir` must be 'TB', 'BT', 'LR' or 'RL'. Received: {rankdir!r}")
    horizontal = rankdir in ("LR", "RL")
    chains = _cluster_chains(diagram.root)
    placer = _LevelPlacer(diagram, chains, box_sizes, label_sizes, rankdir)
    block = placer.place(diagram.root, is_root=True)
    polylines = _draw_edges(diagram, block)

    def point(o: float, r: float) -> tuple[float, float]:
        if rankdir == "BT":
            r = block.size_r - r
        elif rankdir == "RL":
            r = block.size_r - r
        return (r, o) if horizontal else (o, r)

    def rect(o0, r0, o1, r1) -> Rect:
        (xa, ya), (xb, yb) = point(o0, r0), point(o1, r1)
        return Rect(min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb))

    boxes = {key: rect(o - so / 2, r - sr / 2, o + so / 2, r + sr / 2)
             for key, (o, r, so, sr) in block.leaves.items()}
    clusters = [(cluster, rect(*frame)) for cluster, frame in block.frames]
    edges = [[point(o, r) for o, r in line] for line in polylines]
    width, height = ((block.size_r, block.size_o) if horizontal else (block.size_o, block.size_r))
    return Layout(width, height, boxes, clusters, edges)


def _cluster_chains(root: Cluster) -> dict[str, list[Cluster]]:
    """Each box key -> the clusters containing it, outermost (the root) first."""
    chains: dict[str, list[Cluster]] = {}

    def walk(cluster, chain):
        chain = chain + [cluster]
        for item in cluster.items:
            if isinstance(item, Cluster):
                walk(item, chain)
            else:
                chains[item.key] = chain

    walk(root, [])
    return chains


class _LevelPlacer:
    def __init__(self, diagram, chains, box_sizes, label_sizes, rankdir):
        self.diagram = diagram
        self.chains = chains
        self.box_sizes = box_sizes
        self.label_sizes = label_sizes
        self.rankdir = rankdir
        self.horizontal = rankdir in ("LR", "RL")
        # Each edge is routed in the deepest cluster holding both of its ends.
        self.edges_at: dict[int, list[int]] = {}
        for index, (a, b) in enumerate(diagram.edges):
            if a not in chains or b not in chains or a == b:
                continue
            common = None
            for ca, cb in zip(chains[a], chains[b]):
                if ca is not cb:
                    break
                common = ca
            self.edges_at.setdefault(id(common), []).append(index)

    def _abstract(self, width: float, height: float) -> tuple[float, float]:
        return (height, width) if self.horizontal else (width, height)

    def place(self, cluster: Cluster, is_root: bool) -> _Block:
        items = cluster.items
        blocks: list[_Block | None] = []
        sizes: list[tuple[float, float]] = []
        item_of: dict[str, int] = {}
        for index, item in enumerate(items):
            if isinstance(item, Cluster):
                child = self.place(item, is_root=False)
                blocks.append(child)
                sizes.append((child.size_o, child.size_r))
                for key in child.leaves:
                    item_of[key] = index
            else:
                blocks.append(None)
                sizes.append(self._abstract(*self.box_sizes[item.key]))
                item_of[item.key] = index

        level_edges = [(e, item_of[self.diagram.edges[e][0]], item_of[self.diagram.edges[e][1]])
                       for e in self.edges_at.get(id(cluster), [])]
        ranks = _ranks(len(items), [(a, b) for _, a, b in level_edges], is_root)

        # Vertices: the items, then one dummy per rank an edge passes through.
        vertex_size = list(sizes)
        vertex_rank = list(ranks)
        is_dummy = [False] * len(items)
        chains: dict[int, list[int]] = {}  # edge -> its vertices, source to target
        for e, a, b in level_edges:
            chain = [a]
            for rank in range(ranks[a] + 1, ranks[b]):
                vertex_size.append((DUMMY_SIZE, 0.0))
                vertex_rank.append(rank)
                is_dummy.append(True)
                chain.append(len(vertex_size) - 1)
            chains[e] = chain + [b]

        # The connection point of an edge on a vertex, relative to its centre: a leaf inside a
        # nested block is off the block's centre.
        def port_offset(vertex: int, leaf: str) -> float:
            block = blocks[vertex] if vertex < len(items) else None
            if block is None:
                return 0.0
            return block.leaves[leaf][0] - block.size_o / 2

        up: list[list[tuple[int, float, float]]] = [[] for _ in vertex_size]
        down: list[list[tuple[int, float, float]]] = [[] for _ in vertex_size]
        for e, chain in chains.items():
            source, target = self.diagram.edges[e]
            if ranks[chain[0]] >= ranks[chain[-1]]:
                continue  # not a forward edge (a cycle): drawn, but not laid out
            for i, (u, v) in enumerate(zip(chain, chain[1:])):
                off_u = port_offset(u, source) if i == 0 else 0.0
                off_v = port_offset(v, target) if i == len(chain) - 2 else 0.0
                down[u].append((v, off_u, off_v))
                up[v].append((u, off_v, off_u))

        n_ranks = max(vertex_rank, default=-1) + 1
        layers = _order(n_ranks, vertex_rank, up, down)
        o = _coordinates(layers, vertex_size, is_dummy, up, down)

        # Along the ranks: each rank as tall as its tallest item, gaps sized for their jogs.
        rank_size = [0.0] * n_ranks
        for vertex, rank in enumerate(vertex_rank):
            rank_size[rank] = max(rank_size[rank], vertex_size[vertex][1])
        crossing = [0] * max(n_ranks - 1, 0)
        for vertex, rank in enumerate(vertex_rank):
            for _ in down[vertex]:
                crossing[rank] += 1
        gaps = [max(RANKSEP, (count + 1) * TRACK) for count in crossing]

        label_w, label_h = self.label_sizes.get(cluster.key, (0.0, 0.0)) if not is_root else (0, 0)
        pad = MARGIN if is_root else PAD
        top_o = bottom_o = top_r = bottom_r = pad
        if not is_root and label_h:
            if self.horizontal:
                top_o += label_h
            elif self.rankdir == "TB":
                top_r += label_h
            else:
                bottom_r += label_h
        rank_top = []
        r = top_r
        for rank in range(n_ranks):
            rank_top.append(r)
            r += rank_size[rank] + (gaps[rank] if rank < n_ranks - 1 else 0.0)
        size_r = r + bottom_r
        if o:
            low = min(o[v] - vertex_size[v][0] / 2 for v in range(len(o)))
            high = max(o[v] + vertex_size[v][0] / 2 for v in range(len(o)))
        else:
            low = high = 0.0
        shift = top_o - low
        size_o = high - low + top_o + bottom_o
        if not is_root:  # the frame is at least as wide as its label
            if self.horizontal:
                size_r = max(size_r, label_w + 2 * PAD)
            else:
                size_o = max(size_o, label_w + 2 * PAD)

        def centre(vertex: int) -> tuple[float, float]:
            rank = vertex_rank[vertex]
            return o[vertex] + shift, rank_top[rank] + rank_size[rank] / 2

        result = _Block(size_o, size_r, {}, [], {})
        for index, item in enumerate(items):
            co, cr = centre(index)
            so, sr = sizes[index]
            if blocks[index] is None:
                result.leaves[item.key] = [co, cr, so, sr]
            else:
                child = blocks[index].shifted(co - so / 2, cr - sr / 2)
                result.leaves.update(child.leaves)
                result.frames.extend(child.frames)
                result.routes.update(child.routes)
        for e, chain in chains.items():
            source, target = self.diagram.edges[e]
            lanes = [centre(v)[0] for v in chain[1:-1]]
            a_rank, b_rank = vertex_rank[chain[0]], vertex_rank[chain[-1]]
            route_gaps = [(rank_top[k] + rank_size[k], rank_top[k + 1])
                          for k in range(a_rank, b_rank)]
            result.routes[e] = _Route(source, target, lanes, route_gaps)
        if not is_root:
            result.frames.insert(0, (cluster, [0.0, 0.0, size_o, size_r]))
        return result


def _ranks(n: int, edges: list[tuple[int, int]], is_root: bool) -> list[int]:
    """Longest-path ranks. At the top level side branches move down towards their consumers;
    inside a nested block sinks move to the bottom, where the block's outputs leave, and
    sources stay at the top, where its inputs come in."""
    succ: list[set[int]] = [set() for _ in range(n)]
    pred: list[set[int]] = [set() for _ in range(n)]
    for a, b in edges:
        if a != b:
            succ[a].add(b)
            pred[b].add(a)
    indegree = [len(p) for p in pred]
    ready = [v for v in range(n) if indegree[v] == 0]
    topo = []
    while ready:
        v = ready.pop(0)
        topo.append(v)
        for w in sorted(succ[v]):
            indegree[w] -= 1
            if indegree[w] == 0:
                ready.append(w)
    topo += [v for v in range(n) if v not in set(topo)]  # a cycle: keep going, in item order
    position = {v: i for i, v in enumerate(topo)}
    rank = [0] * n
    for v in topo:
        earlier = [rank[u] + 1 for u in pred[v] if position[u] < position[v]]
        rank[v] = max(earlier, default=0)
    if is_root:
        # Moving a vertex down by one rank shortens its out-edges and lengthens its in-edges:
        # worth it (or free) when it has no more inputs than outputs. Walking upwards, a side
        # branch (an extra input and its layers) thus comes down to where it is consumed.
        for v in reversed(topo):
            if succ[v] and len(pred[v]) <= len(succ[v]):
                rank[v] = max(rank[v], min(rank[w] for w in succ[v]) - 1)
    else:
        deepest = max(rank, default=0)
        for v in range(n):
            if not succ[v] and pred[v]:
                rank[v] = deepest
    low = min(rank, default=0)
    return [r - low for r in rank]


def _order(n_ranks, vertex_rank, up, down) -> list[list[int]]:
    """Vertices per rank, ordered by barycenter sweeps; the order with the fewest crossings."""
    layers: list[list[int]] = [[] for _ in range(n_ranks)]
    seen = set()

    def visit(v):  # a depth-first first order keeps chains together
        if v in seen:
            return
        seen.add(v)
        layers[vertex_rank[v]].append(v)
        for w, _, _ in down[v]:
            visit(w)

    for v in range(len(vertex_rank)):
        if not up[v]:
            visit(v)
    for v in range(len(vertex_rank)):
        visit(v)

    best = [list(layer) for layer in layers]
    best_crossings = _crossings(best, down)
    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        ranks = range(1, n_ranks) if downward else range(n_ranks - 2, -1, -1)
        for rank in ranks:
            neighbour_layer = layers[rank - 1] if downward else layers[rank + 1]
            position = {v: i for i, v in enumerate(neighbour_layer)}
            current = {v: i for i, v in enumerate(layers[rank])}

            def key(v, position=position, current=current, downward=downward):
                neighbours = [w for w, _, _ in (up[v] if downward else down[v])]
                if not neighbours:
                    return current[v]
                return sum(position[w] for w in neighbours) / len(neighbours)

            layers[rank] = sorted(layers[rank], key=key)
        crossings = _crossings(layers, down)
        if crossings < best_crossings:
            best, best_crossings = [list(layer) for layer in layers], crossings
    return best


def _crossings(layers, down) -> int:
    total = 0
    for rank in range(len(layers) - 1):
        position = {v: i for i, v in enumerate(layers[rank + 1])}
        segments = [(i, position[w]) for i, v in enumerate(layers[rank]) for w, _, _ in down[v]]
        for i, (a0, b0) in enumerate(segments):
            for a1, b1 in segments[i + 1:]:
                if (a0 - a1) * (b0 - b1) < 0:
                    total += 1
    return total


def _coordinates(layers, vertex_size, is_dummy, up, down) -> list[float]:
    """Positions along the ranks: each vertex pulled towards its neighbours' connection points,
    ranks kept in order with their minimum separations."""
    o = [0.0] * len(vertex_size)

    def separation(a, b):
        gap = DUMMY_SEP if (is_dummy[a] or is_dummy[b]) else NODESEP
        return (vertex_size[a][0] + vertex_size[b][0]) / 2 + gap

    for layer in layers:  # start packed, centred on 0
        x = 0.0
        for i, v in enumerate(layer):
            if i:
                x += separation(layer[i - 1], v)
            o[v] = x
        for v in layer:
            o[v] -= x / 2

    def relax(layer, neighbours_of):
        desired = []
        for v in layer:
            pulls = [o[w] + off_w - off_v for w, off_v, off_w in neighbours_of(v)]
            desired.append(sum(pulls) / len(pulls) if pulls else o[v])
        seps = [separation(a, b) for a, b in zip(layer, layer[1:])]
        for v, x in zip(layer, _isotonic_place(desired, seps)):
            o[v] = x

    n_ranks = len(layers)
    for _ in range(6):
        for rank in range(1, n_ranks):
            relax(layers[rank], lambda v: up[v])
        for rank in range(n_ranks - 2, -1, -1):
            relax(layers[rank], lambda v: down[v])
    for _ in range(2):
        for rank in range(n_ranks):
            relax(layers[rank], lambda v: up[v] + down[v])
    return o


def _isotonic_place(desired: list[float], separations: list[float]) -> list[float]:
    """Minimise sum((x_i - desired_i)^2) subject to x_{i+1} - x_i >= separations_i: with
    offsets c_i (the running separations) this is isotonic regression of desired_i - c_i,
    solved exactly by pooling adjacent violators."""
    offsets = [0.0]
    for s in separations:
        offsets.append(offsets[-1] + s)
    targets = [d - c for d, c in zip(desired, offsets)]
    pools: list[list[float]] = []  # [mean, count]
    for t in targets:
        pools.append([t, 1])
        while len(pools) > 1 and pools[-2][0] > pools[-1][0]:
            mean, count = pools.pop()
            prev_mean, prev_count = pools[-1]
            total = prev_count + count
            pools[-1] = [(prev_mean * prev_count + mean * count) / total, total]
    values = [mean for mean, count in pools for _ in range(int(count))]
    return [v + c for v, c in zip(values, offsets)]


def _draw_edges(diagram: Diagram, block: _Block) -> list[list[tuple[float, float]]]:
    """Orthogonal polylines (abstract frame) for every edge, from the source box's lower side
    to the target box's upper side."""
    leaves = block.leaves
    routes = block.routes

    # Ports: where edges leave and enter a box. A box's only edge on a side goes straight when
    # the other end lies within its width; several are spread across the side, in the order of
    # where they go.
    out_port: dict[int, float] = {}
    in_port: dict[int, float] = {}
    outgoing: dict[str, list[int]] = {}
    incoming: dict[str, list[int]] = {}
    for e, route in routes.items():
        outgoing.setdefault(route.source, []).append(e)
        incoming.setdefault(route.target, []).append(e)

    def spread(key, edge_ids, toward, ports):
        centre, _, size, _ = leaves[key]
        if len(edge_ids) == 1:
            (e,) = edge_ids
            target = toward(e)
            margin = min(PORT_SPACING, size / 4)
            ports[e] = min(max(target, centre - size / 2 + margin), centre + size / 2 - margin)
            return
        edge_ids = sorted(edge_ids, key=toward)
        spacing = min(PORT_SPACING, 0.8 * size / len(edge_ids))
        for i, e in enumerate(edge_ids):
            ports[e] = centre + (i - (len(edge_ids) - 1) / 2) * spacing

    def straight_target(e):
        """For a direct edge between boxes that overlap along the rank: a shared lane."""
        route = routes[e]
        (ao, _, asize, _), (bo, _, bsize, _) = leaves[route.source], leaves[route.target]
        low = max(ao - asize / 2, bo - bsize / 2) + 10
        high = min(ao + asize / 2, bo + bsize / 2) - 10
        if low <= high:
            return min(max((ao + bo) / 2, low), high)
        return None

    for key, edge_ids in outgoing.items():
        def toward(e):
            route = routes[e]
            if route.lanes:
                return route.lanes[0]
            shared = straight_target(e)
            return shared if shared is not None and len(incoming[route.target]) == 1 \
                else leaves[route.target][0]
        spread(key, edge_ids, toward, out_port)
    for key, edge_ids in incoming.items():
        def toward(e):
            route = routes[e]
            return route.lanes[-1] if route.lanes else out_port[e]
        spread(key, edge_ids, toward, in_port)

    # Lanes: the vertical runs of each edge; jogs between consecutive lanes, in the gaps.
    jogs: dict[tuple[float, float], list[tuple[float, float, int, int]]] = {}
    lanes_of: dict[int, list[float]] = {}
    for e, route in routes.items():
        lanes = [out_port[e]] + route.lanes + [in_port[e]]
        lanes_of[e] = lanes
        for k, gap in enumerate(route.gaps):
            a, b = lanes[k], lanes[k + 1]
            if abs(a - b) > 0.5:
                jogs.setdefault(gap, []).append((min(a, b), max(a, b), e, k))
    track_y: dict[tuple[int, int], float] = {}
    for (r0, r1), gap_jogs in jogs.items():
        track_end: list[float] = []
        assigned = []
        for low, high, e, k in sorted(gap_jogs):
            for t, end in enumerate(track_end):
                if end < low - 4:
                    track_end[t] = high
                    break
            else:
                t = len(track_end)
                track_end.append(high)
            assigned.append((e, k, t))
        for e, k, t in assigned:
            track_y[(e, k)] = r0 + (t + 1) * (r1 - r0) / (len(track_end) + 1)

    lines: list[list[tuple[float, float]]] = []
    for e in range(len(diagram.edges)):
        route = routes.get(e)
        if route is None:  # an edge the layout could not place (a box missing): no line
            lines.append([])
            continue
        source, target = leaves[route.source], leaves[route.target]
        lanes = lanes_of[e]
        points = [(lanes[0], source[1] + source[3] / 2)]
        for k, (r0, r1) in enumerate(route.gaps):
            y = track_y.get((e, k), (r0 + r1) / 2)
            points += [(lanes[k], y), (lanes[k + 1], y)]
        points.append((lanes[-1], target[1] - target[3] / 2))
        if not route.gaps:  # a backward edge: straight, as a last resort
            points = [points[0], points[-1]]
        lines.append(_simplify(points))
    return lines


def _simplify(points):
    """Drop repeated points and the middle of collinear runs."""
    out = []
    for p in points:
        if out and abs(out[-1][0] - p[0]) < 1e-6 and abs(out[-1][1] - p[1]) < 1e-6:
            continue
        if len(out) >= 2:
            (x0, y0), (x1, y1) = out[-2], out[-1]
            if (abs(x0 - x1) < 1e-6 and abs(x1 - p[0]) < 1e-6) or (
                    abs(y0 - y1) < 1e-6 and abs(y1 - p[1]) < 1e-6):
                out[-1] = p
                continue
        out.append(p)
    return out


