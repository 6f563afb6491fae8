; Rover definitions and references for JavaScript (and JSX).
; See grammars/queries/python/tags.scm for the capture names.

(class_declaration
  name: (identifier) @name) @definition.class

(class
  name: (identifier) @name) @definition.class

(class_declaration (class_heritage (_) @base)) @bases.of
(class (class_heritage (_) @base)) @bases.of

(function_declaration
  name: (identifier) @name) @definition.function

(generator_function_declaration
  name: (identifier) @name) @definition.function

; methods of classes and of object literals; the extractor turns the latter into functions
(method_definition
  name: [(property_identifier) (private_property_identifier) (computed_property_name) (string)] @name) @definition.method

; class fields holding a function: `handler = () => {...}`
(field_definition
  property: [(property_identifier) (private_property_identifier)] @name
  value: [(arrow_function) (function_expression) (generator_function)] @func) @definition.method

; (functions bound to names and call sites: queries/ecma/shared.scm)
