; Rover definitions and references shared by JavaScript, TypeScript and TSX: functions bound to
; names, prototype and property assignments, object-literal functions, and call sites. Appended to
; queries/javascript/tags.scm and queries/typescript/tags.scm when they are compiled.

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
