//! Coroutines a WSGI framework runs on an event loop of their own. Flask serves requests on
//! threads and runs an `async def` view through asgiref's `async_to_sync`: each request gets a
//! new loop, and nothing else ever runs on it. A blocking call in such a view (or in a
//! coroutine only such views await) stalls the request that made it and no other, so LW101,
//! LW102, LW103 and LW105 do not report it. The summary records the views here; the link
//! follows their awaits ([`crate::project::Facts::own_loop`]).

use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::catalog::{
    OWN_LOOP_APP_CLASSES, OWN_LOOP_REGISTRARS, OWN_LOOP_VIEW_BASES, OWN_LOOP_VIEW_METHODS,
};
use crate::project::ProjectRoots;
use crate::project::roots::may_be_in_project;
use crate::project::summary::OwnLoopView;
use crate::semantic::SemanticModel;

/// How the `async def` `function`, whose definition the walk is at (`ancestors` end with it;
/// its decorators resolve in the enclosing scope, where `model` is), is registered with such
/// a framework, if it is: under a decorator that registers it on an application or blueprint
/// (`@app.route("/")`, `@bp.get("/x")`, `@app.errorhandler(404)`, whichever place it has among
/// the decorators: a wrapper of another decorator runs on the same loop), or as a request
/// method of a class-based view.
pub fn registration(
    model: &SemanticModel,
    roots: Option<&ProjectRoots>,
    ancestors: &[&Stmt],
    function: &ast::StmtFunctionDef,
) -> Option<OwnLoopView> {
    let by_decorator = function.decorator_list.iter().find_map(|decorator| {
        let registrar = match &decorator.expression {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        let Expr::Attribute(method) = registrar else {
            return None;
        };
        if method.attr.as_str() == "add_url_rule" {
            return None;
        }
        app_of(model, roots, method)
    });
    by_decorator.or_else(|| {
        OWN_LOOP_VIEW_METHODS
            .contains(&function.name.as_str())
            .then(|| class_view_method(model, ancestors))
            .flatten()
    })
}

/// `app.add_url_rule("/", view_func=index)`: the path of the function handed as the view (by
/// name: `index`), and how it is registered.
pub fn added_rule(
    model: &SemanticModel,
    roots: Option<&ProjectRoots>,
    call: &ast::ExprCall,
) -> Option<(String, OwnLoopView)> {
    let Expr::Attribute(method) = &*call.func else {
        return None;
    };
    if method.attr.as_str() != "add_url_rule" {
        return None;
    }
    let view = app_of(model, roots, method)?;
    let view_func = call.arguments.find_argument_value("view_func", 2)?;
    if !view_func.is_name_expr() {
        return None;
    }
    Some((model.path_of(view_func)?, view))
}

/// The module-level names `body` binds to an application or blueprint (`app =
/// Flask(__name__)`, `bp: Blueprint = Blueprint("api", __name__)`), for views that other
/// modules register on them.
pub fn module_apps<'b>(
    model: &'b SemanticModel,
    body: &'b [Stmt],
) -> impl Iterator<Item = &'b str> + 'b {
    body.iter().filter_map(move |statement| {
        let (target, value) = match statement {
            Stmt::Assign(assign) if assign.targets.len() == 1 => {
                (&assign.targets[0], &*assign.value)
            }
            Stmt::AnnAssign(assign) => (&*assign.target, assign.value.as_deref()?),
            _ => return None,
        };
        let Expr::Name(name) = target else {
            return None;
        };
        // Only a call makes one; most module-level values are not calls.
        (value.is_call_expr()
            && model
                .type_of(value)
                .is_some_and(|type_name| OWN_LOOP_APP_CLASSES.contains(&type_name.as_str())))
        .then_some(name.id.as_str())
    })
}

/// Whether `method` (`app.route`) is a registrar of [`OWN_LOOP_REGISTRARS`] on an application
/// or blueprint: one the module types ([`OwnLoopView::Certain`]), or a module-level name of
/// another module of the project that the link asks about.
fn app_of(
    model: &SemanticModel,
    roots: Option<&ProjectRoots>,
    method: &ast::ExprAttribute,
) -> Option<OwnLoopView> {
    if !OWN_LOOP_REGISTRARS.contains(&method.attr.as_str()) {
        return None;
    }
    let receiver = &*method.value;
    if let Some(type_name) = model.type_of(receiver) {
        return OWN_LOOP_APP_CLASSES
            .contains(&type_name.as_str())
            .then_some(OwnLoopView::Certain);
    }
    let path = model.path_of(receiver)?;
    may_be_in_project(roots, &path).then(|| OwnLoopView::IfAppOf(path.into()))
}

/// For a method being defined (the last of `ancestors`): whether its class derives directly
/// from one of Flask's class-based views.
fn class_view_method(model: &SemanticModel, ancestors: &[&Stmt]) -> Option<OwnLoopView> {
    let Some(Stmt::ClassDef(class)) = ancestors.len().checked_sub(2).map(|at| ancestors[at]) else {
        return None;
    };
    class
        .bases()
        .iter()
        .any(|base| {
            model
                .path_of(base)
                .is_some_and(|path| OWN_LOOP_VIEW_BASES.contains(&path.as_str()))
        })
        .then_some(OwnLoopView::Certain)
}
