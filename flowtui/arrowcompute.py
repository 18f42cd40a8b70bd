"""Arrow's compute functions, each made when first used: ``pyarrow.compute`` without its import.

Why: importing ``pyarrow.compute`` builds a Python wrapper, a signature and a docstring
(numpydoc text parsed with a vendored parser) for every one of Arrow's ~280 kernels:
0.05-0.07 s of CPU, before the first line of every ``cat`` (issue 21 item 4), for the dozen
kernels the first block needs. The kernels themselves live in ``pyarrow._compute`` (cheap
to import: the registry is C++); this module makes the wrapper of a kernel the first time
its name is asked for, the same way ``pyarrow.compute`` makes all of them at import: the
arguments, an options object or the options' keywords, Expressions, ``memory_pool``. The
kernel called is the one ``pyarrow.compute`` calls, so the answers are Arrow's own.

Use it as ``from flowtui import arrowcompute as pc``. ``cast``, ``take`` and ``fill_null``
are hand-written in ``pyarrow.compute`` (not generated); they are written here the same way,
because the first block needs them. Anything else that is not a kernel (``pc.field``,
``pc.scalar``, ``index``, …) and any kernel this module cannot wrap comes from
``pyarrow.compute`` itself, imported then: slower, never different.

Arrow's own methods that compute (``Array.cast``, ``.take``, ``.filter``, ``.fill_null``,
``RecordBatch.filter``, …) import ``pyarrow.compute``: code that runs before the first line
calls the functions here instead (``pc.cast(column, type)``, not ``column.cast(type)``);
tests/test_cli_startup.py fails when the import comes back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pyarrow as pa
from pyarrow import _compute

#: Kernels whose Python name is not their own (Python keywords), as in pyarrow.compute.
_REWRITES = {"and_": "and", "or_": "or"}
_LOCK = threading.Lock()


def __getattr__(name: str) -> Any:
    """The wrapper of kernel ``name`` (made once, then a plain module attribute)."""
    if name.startswith("__"):
        raise AttributeError(name)
    with _LOCK:
        made = globals().get(name)
        if made is None:
            made = _wrapper(name)
            if made is None:
                made = getattr(_full(), name)  # AttributeError for a name Arrow lacks
            globals()[name] = made
    return made


def _full() -> Any:
    import pyarrow.compute

    return pyarrow.compute


def _wrapper(name: str) -> Callable[..., Any] | None:
    """What ``pyarrow.compute._wrap_function`` makes for kernel ``name`` (its docstring and
    signature aside), or None when ``name`` is no kernel that module exposes."""
    try:
        func = _compute.get_function(_REWRITES.get(name, name))
    except (KeyError, pa.ArrowKeyError):
        return None
    except Exception:  # noqa: BLE001 - an Arrow whose internals moved: pyarrow.compute's
        return None
    if func.kind == "hash_aggregate" or (func.kind == "scalar_aggregate"
                                         and func.arity == 0):
        return None  # not callable; pyarrow.compute does not expose them either
    try:
        class_name = func._doc.options_class
        options_class = getattr(_compute, class_name) if class_name else None
    except AttributeError:
        return None
    return _generic(name, func, options_class, func.arity)


def _handle_options(name: str, options_class: Any, options: Any, args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
    """As ``pyarrow.compute._handle_options``."""
    if args or kwargs:
        if options is not None:
            raise TypeError(f"Function {name!r} called with both an 'options' argument "
                            f"and additional arguments")
        return options_class(*args, **kwargs)
    if options is not None:
        if isinstance(options, dict):
            return options_class(**options)
        if isinstance(options, options_class):
            return options
        raise TypeError(f"Function {name!r} expected a {options_class} parameter, "
                        f"got {type(options)}")
    return None


def _generic(name: str, func: Any, options_class: Any, arity: Any) -> Callable[..., Any]:
    """As ``pyarrow.compute._make_generic_wrapper``."""
    expression = _compute.Expression

    def plain(*args: Any, memory_pool: Any = None) -> Any:
        if arity is not Ellipsis and len(args) != arity:
            raise TypeError(f"{name} takes {arity} positional argument(s), "
                            f"but {len(args)} were given")
        if args and isinstance(args[0], expression):
            return expression._call(name, list(args))
        return func.call(args, None, memory_pool)

    def with_options(*args: Any, memory_pool: Any = None, options: Any = None,
                     **kwargs: Any) -> Any:
        option_args: tuple[Any, ...] = ()
        if arity is not Ellipsis:
            if len(args) < arity:
                raise TypeError(f"{name} takes {arity} positional argument(s), "
                                f"but {len(args)} were given")
            option_args = args[arity:]
            args = args[:arity]
        options = _handle_options(name, options_class, options, option_args, kwargs)
        if args and isinstance(args[0], expression):
            return expression._call(name, list(args), options)
        return func.call(args, options, memory_pool)

    wrapper: Callable[..., Any] = plain if options_class is None else with_options
    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__doc__ = f"Arrow's compute function {name!r} (see pyarrow.compute.{name})."
    # What pyarrow.compute's wrappers say they call (tests compare the two).
    wrapper.__arrow_compute_function__ = {  # type: ignore[attr-defined]
        "name": func.name, "arity": func.arity, "options_class": func._doc.options_class,
        "options_required": func._doc.options_required}
    return wrapper


def cast(arr: Any, target_type: Any = None, safe: bool | None = None, options: Any = None,
         memory_pool: Any = None) -> Any:
    """As ``pyarrow.compute.cast`` (which ``Array.cast`` calls)."""
    if ((safe is not None) or (target_type is not None)) and options is not None:
        raise ValueError("Must either pass values for 'target_type' and 'safe' or pass a "
                         "value for 'options'")
    if options is None:
        target_type = pa.types.lib.ensure_type(target_type)
        options = (_compute.CastOptions.unsafe(target_type) if safe is False
                   else _compute.CastOptions.safe(target_type))
    return _compute.call_function("cast", [arr], options, memory_pool)


def take(data: Any, indices: Any, *, boundscheck: bool = True, memory_pool: Any = None
         ) -> Any:
    """As ``pyarrow.compute.take`` (which ``Array.take`` calls)."""
    return _compute.call_function("take", [data, indices],
                                  _compute.TakeOptions(boundscheck=boundscheck), memory_pool)


def fill_null(values: Any, fill_value: Any) -> Any:
    """As ``pyarrow.compute.fill_null`` (which ``Array.fill_null`` calls)."""
    if not isinstance(fill_value, (pa.Array, pa.ChunkedArray, pa.Scalar)):
        fill_value = pa.scalar(fill_value, type=values.type)
    elif values.type != fill_value.type:
        fill_value = pa.scalar(fill_value.as_py(), type=values.type)
    return _compute.call_function("coalesce", [values, fill_value])
