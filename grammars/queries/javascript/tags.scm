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

; `const f = () => ...`, `let g = function () {...}`
(lexical_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function) (function_expression) (generator_function)] @func)) @definition.function

(variable_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function) (function_expression) (generator_function)] @func)) @definition.function

; `Foo.prototype.bar = function () {...}` is a method of Foo
(expression_statement
  (assignment_expression
    left: (member_expression
      object: (member_expression
        object: (identifier) @owner
        property: (property_identifier) @_proto (#eq? @_proto "prototype"))
      property: (property_identifier) @name)
    right: [(arrow_function) (function_expression) (generator_function)] @func)) @definition.method

; `obj.m = function () {...}`, `module.exports.run = async () => ...`
(expression_statement
  (assignment_expression
    left: (member_expression
      object: (_) @qualifier
      property: (property_identifier) @name)
    right: [(arrow_function) (function_expression) (generator_function)] @func)) @definition.function

; `{ run: function () {...}, stop: () => ... }`
(pair
  key: [(property_identifier) (string)] @name
  value: [(arrow_function) (function_expression) (generator_function)] @func) @definition.function

(call_expression
  function: [
    (identifier) @call.name
    (member_expression property: [(property_identifier) (private_property_identifier)] @call.name)
  ])

(new_expression
  constructor: [
    (identifier) @call.name
    (member_expression property: (property_identifier) @call.name)
  ])
