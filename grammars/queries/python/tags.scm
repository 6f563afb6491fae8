; Rover definitions and references for Python.
; Capture names understood by src/core/index/extract.ts:
;   @definition.<kind>  the node whose span is the symbol (decorators are added by the extractor)
;   @name               the symbol's name
;   @base + @bases.of   one superclass of the class node captured as @bases.of
;   @call.name         the called name of a call site; the site's line and column are this node's
;   @assign + @assign.of an assignment directly in the body of the class captured as @assign.of

(class_definition
  name: (identifier) @name) @definition.class

(class_definition
  superclasses: (argument_list [(identifier) (attribute)] @base)) @bases.of

; one pattern for every `def`, sync or async, top-level, nested or in a class: whether it is a method
; is decided from where it sits, so a method can never also appear as a top-level function
(function_definition
  name: (identifier) @name) @definition.function

; class-level bindings (`_print_Derivative = _print_not_supported`): attribute lookup finds them
; before a base class's method of the same name, so method resolution must see them
(class_definition
  body: (block
    (expression_statement
      (assignment) @assign))) @assign.of

(call
  function: [
    (identifier) @call.name
    (attribute attribute: (identifier) @call.name)
  ])
