; Rover definitions and references for TypeScript and TSX (both grammars use this file).
; See grammars/queries/python/tags.scm for the capture names.

(class_declaration
  name: (type_identifier) @name) @definition.class

(abstract_class_declaration
  name: (type_identifier) @name) @definition.class

(class
  name: (type_identifier) @name) @definition.class

(interface_declaration
  name: (type_identifier) @name) @definition.interface

(enum_declaration
  name: (identifier) @name) @definition.enum

(class_declaration (class_heritage (extends_clause value: (_) @base))) @bases.of
(class_declaration (class_heritage (implements_clause (_) @base))) @bases.of
(abstract_class_declaration (class_heritage (extends_clause value: (_) @base))) @bases.of
(abstract_class_declaration (class_heritage (implements_clause (_) @base))) @bases.of
(class (class_heritage (extends_clause value: (_) @base))) @bases.of
(class (class_heritage (implements_clause (_) @base))) @bases.of
(interface_declaration
  (extends_type_clause type: (_) @base)) @bases.of

; `namespace NS {...}` / `module M {...}` only qualify the names inside them
(internal_module
  name: [(identifier) (nested_identifier)] @name) @scope.namespace

(function_declaration
  name: (identifier) @name) @definition.function

(generator_function_declaration
  name: (identifier) @name) @definition.function

(function_signature
  name: (identifier) @name) @definition.function

(method_definition
  name: [(property_identifier) (private_property_identifier) (computed_property_name) (string)] @name) @definition.method

(method_signature
  name: [(property_identifier) (private_property_identifier) (computed_property_name) (string)] @name) @definition.method

(abstract_method_signature
  name: [(property_identifier) (private_property_identifier) (computed_property_name) (string)] @name) @definition.method

(public_field_definition
  name: [(property_identifier) (private_property_identifier)] @name
  value: [(arrow_function) (function_expression) (generator_function)] @func) @definition.method

; (functions bound to names and call sites: queries/ecma/shared.scm)
