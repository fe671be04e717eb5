"""Accessible names Reflex components do not take as props."""

import reflex as rx
from reflex_components_core.el.elements.forms import Input


def _name_file_inputs(component: rx.Component, label: rx.Var | str) -> None:
    for child in component.children:
        if isinstance(child, Input):
            child.custom_attrs["aria-label"] = label
        _name_file_inputs(child, label)


def labelled_upload(label: rx.Var | str, *children: rx.Component, **props) -> rx.Component:
    """`rx.upload.root` whose (visually hidden) file input is named `label` for screen readers; Reflex creates that
    input itself and passes it no props, so axe-core finds it unlabelled."""
    upload = rx.upload.root(*children, **props)
    _name_file_inputs(upload, label)
    return upload
