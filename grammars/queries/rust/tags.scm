; Rover definitions and references for Rust.
; See grammars/queries/python/tags.scm for the capture names.

(struct_item name: (type_identifier) @name) @definition.struct
(union_item name: (type_identifier) @name) @definition.struct
(enum_item name: (type_identifier) @name) @definition.enum
(trait_item name: (type_identifier) @name) @definition.trait

(trait_item bounds: (trait_bounds [(type_identifier) (scoped_type_identifier) (generic_type)] @base)) @bases.of

; functions inside `impl T {...}` / `impl Trait for T {...}` are methods of T
(impl_item type: [
  (type_identifier) @name
  (generic_type type: (type_identifier) @name)
  (scoped_type_identifier name: (type_identifier) @name)
]) @scope.impl

(mod_item name: (identifier) @name body: (declaration_list)) @scope.namespace

(function_item name: (identifier) @name) @definition.function
(function_signature_item name: (identifier) @name) @definition.function

(call_expression function: [
  (identifier) @call.name
  (field_expression field: (field_identifier) @call.name)
  (scoped_identifier name: (identifier) @call.name)
  (generic_function function: [(identifier) @call.name (scoped_identifier name: (identifier) @call.name) (field_expression field: (field_identifier) @call.name)])
])
(macro_invocation macro: (identifier) @call.name)
