; Rover definitions and references for C++ (and C, which this grammar parses well enough).
; See grammars/queries/python/tags.scm for the capture names.

(class_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.class
(struct_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.struct
(union_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.struct
(enum_specifier name: (type_identifier) @name body: (enumerator_list)) @definition.enum

(class_specifier (base_class_clause [(type_identifier) (qualified_identifier) (template_type)] @base)) @bases.of
(struct_specifier (base_class_clause [(type_identifier) (qualified_identifier) (template_type)] @base)) @bases.of

(namespace_definition name: (_) @name body: (declaration_list)) @scope.namespace

; free functions, and methods defined inside their class body
(function_definition declarator: (function_declarator declarator: [(identifier) (field_identifier) (operator_name) (destructor_name)] @name)) @definition.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: [(identifier) (field_identifier)] @name))) @definition.function
(function_definition declarator: (reference_declarator (function_declarator declarator: [(identifier) (field_identifier)] @name))) @definition.function

; out-of-line definitions: `int Shape::area() const {...}` is a method of Shape
(function_definition declarator: (function_declarator declarator: (qualified_identifier
  scope: [(namespace_identifier) (template_type)] @owner
  name: [(identifier) (operator_name) (destructor_name)] @name))) @definition.method
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (qualified_identifier
  scope: [(namespace_identifier) (template_type)] @owner
  name: (identifier) @name)))) @definition.method
(function_definition declarator: (reference_declarator (function_declarator declarator: (qualified_identifier
  scope: [(namespace_identifier) (template_type)] @owner
  name: (identifier) @name)))) @definition.method

(call_expression function: [
  (identifier) @call.name
  (field_expression field: (field_identifier) @call.name)
  (qualified_identifier name: (identifier) @call.name)
  (template_function name: (identifier) @call.name)
  (qualified_identifier name: (template_function name: (identifier) @call.name))
])
