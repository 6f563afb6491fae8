; Rover definitions and references for C#.
; See grammars/queries/python/tags.scm for the capture names.

(class_declaration name: (identifier) @name) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(struct_declaration name: (identifier) @name) @definition.struct
(enum_declaration name: (identifier) @name) @definition.enum

(class_declaration (base_list [(identifier) (qualified_name) (generic_name)] @base)) @bases.of
(record_declaration (base_list [(identifier) (qualified_name) (generic_name)] @base)) @bases.of
(interface_declaration (base_list [(identifier) (qualified_name) (generic_name)] @base)) @bases.of
(struct_declaration (base_list [(identifier) (qualified_name) (generic_name)] @base)) @bases.of

(namespace_declaration name: (_) @name) @scope.namespace

(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.method
(local_function_statement name: (identifier) @name) @definition.function

(invocation_expression function: [
  (identifier) @call.name
  (generic_name (identifier) @call.name)
  (member_access_expression name: [(identifier) @call.name (generic_name (identifier) @call.name)])
])
(object_creation_expression type: [
  (identifier) @call.name
  (generic_name (identifier) @call.name)
  (qualified_name name: (identifier) @call.name)
])
