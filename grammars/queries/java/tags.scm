; Rover definitions and references for Java.
; See grammars/queries/python/tags.scm for the capture names.

(class_declaration name: (identifier) @name) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(annotation_type_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum

(class_declaration superclass: (superclass (_) @base)) @bases.of
(class_declaration interfaces: (super_interfaces (type_list (_) @base))) @bases.of
(record_declaration interfaces: (super_interfaces (type_list (_) @base))) @bases.of
(enum_declaration interfaces: (super_interfaces (type_list (_) @base))) @bases.of
(interface_declaration (extends_interfaces (type_list (_) @base))) @bases.of

; inside a class-like body these become methods (with the class as className)
(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.method
(compact_constructor_declaration name: (identifier) @name) @definition.method

(method_invocation name: (identifier) @call.name)
(object_creation_expression type: [
  (type_identifier) @call.name
  (generic_type (type_identifier) @call.name)
  (scoped_type_identifier (type_identifier) @call.name .)
])
(explicit_constructor_invocation constructor: [(this) (super)] @call.name)
