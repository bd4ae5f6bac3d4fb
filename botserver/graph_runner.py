"""Rasa's prediction graphs run node after node in a fixed order, without Dask's scheduler on every call.

Every message runs Rasa's NLU graph once and its policy graph once per predicted action (three or
four graph runs per turn). Rasa 3.6's `DaskGraphRunner.run` rebuilds the minimal schema and a
Dask task graph for each run and hands it to Dask's synchronous scheduler, which orders the
tasks again every time: py-spy under load put that bookkeeping at about a tenth of the Rasa
server's CPU, for graphs of a dozen nodes whose order never changes.

`SequentialGraphRunner` keeps Rasa's runner (the same nodes, instantiated the same way, the same
hooks, inputs and errors) and only replaces `run`: the nodes a set of targets needs, in an order
where each comes after what it needs, is worked out once per set of targets; each run then
calls the nodes in that order, exactly as Dask's synchronous scheduler calls them (a node gets
each needed node's `(name, output)` pair, an input as `(name, value)`, and a name that is neither
as it is). `install()` (called by `python -m botserver`) makes Rasa's message processor load
models with it; training keeps Dask.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

import rasa.core.processor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphNode
from rasa.engine.runner.dask import DaskGraphRunner

Step = Tuple[Text, GraphNode, Tuple[Text, ...]]


class SequentialGraphRunner(DaskGraphRunner):
    """`DaskGraphRunner` whose `run` calls the nodes in a precomputed order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: Dict[Tuple[Text, ...], List[Step]] = {}

    def plan(self, targets: Tuple[Text, ...]) -> List[Step]:
        """The nodes `targets` need, each after the nodes it needs (worked out once per set of targets)."""
        steps = self._plans.get(targets)
        if steps is None:
            steps = []
            schema = self._graph_schema.minimal_graph_schema(list(targets))
            placed: set[Text] = set()

            def place(name: Text) -> None:
                if name in placed or name not in schema.nodes:
                    return
                placed.add(name)
                needs = tuple(schema.nodes[name].needs.values())
                for needed in needs:
                    place(needed)
                steps.append((name, self._instantiated_nodes[name], needs))

            for target in targets:
                place(target)
            self._plans[targets] = steps
        return steps

    def run(self, inputs: Optional[Dict[Text, Any]] = None,
            targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        """Runs the graph (see `DaskGraphRunner.run`): the targets' outputs by target name."""
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        steps = self.plan(run_targets)
        values: Dict[Text, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and any(value == step[0] for step in steps):
                raise GraphRunError(f"Input value '{value}' clashes with a node name. Make sure that none of "
                                    f"the input names passed to the `run` method are the same as node names in "
                                    f"the graph schema.")
            values[name] = (name, value)
        try:
            for name, node, needs in steps:
                if name in values:  # an input of that name stands in for the node, as in Rasa's Dask graph
                    continue
                values[name] = node(*(values[needed] if needed in values else needed for needed in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(values[target] if target in values else target for target in run_targets)


def install() -> None:
    """Make this process's Rasa load its models for prediction with the sequential runner."""
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner
